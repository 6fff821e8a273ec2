import SEAMCore
import SEAMFuzz
import SEAMTypes
import Testing

@Suite struct FuzzDecoderTests {
    /// The reference output of splitmix64.c (Vigna) for seed 1234567: the fuzzer's seeds and inputs come from
    /// this generator, so a change to it would silently change every campaign.
    @Test func splitMix64MatchesTheReferenceVectors() {
        var g = SplitMix64(seed: 1_234_567)
        let expected: [UInt64] = [
            6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
            4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
        ]
        #expect((0..<5).map { _ in g.next() } == expected)
    }

    @Test func emptyInputIsTheThreeVMTDWithNoOperation() {
        let (shape, ops) = FuzzDecoder.decode([])
        #expect(shape == 0)
        #expect(ops.isEmpty)
        #expect(FuzzWorld.shapes[0].numL2VMs == 3)
        #expect(FuzzWorld.shapes[1].numL2VMs == 2)
    }

    /// Bytes worked out by hand against the decoder's layout (FuzzDecoder's doc comment).
    @Test func attrWrAndReadDecodeToTheirRegisters() {
        let bytes: [UInt8] = [
            0x00,  // shape: 3 L2 VMs
            0x00,  // kind 0: ATTR.WR
            0x00, 0x00, 0x00,  // page info: pool[0] = 0x104000, level 4K, no realignment
            0x02, 0x01,  // RDX: VM1 named, field table[1] = VALID|R|W
            0x02, 0x01, 0x00, 0x00,  // R8: INVEPT for VM1; masks RWX (0xF), all, all
            17,  // kind 17: L2 access
            0x00, 0x10, 0x00,  // VM1 read of 8 bytes, offset 0x100, pool[0]
        ]
        let (shape, ops) = FuzzDecoder.decode(bytes)
        #expect(shape == 0)
        #expect(
            ops == [
                .tdcall(RegisterFile(rax: 24, rcx: 0x10_4000, rdx: 0x8003_0000, r8: 0x7FFF_7FFF_800F_0000)),
                .access(vm: 1, MemoryAccess(kind: .read, gpa: 0x10_4100, size: 8)),
            ])
    }

    @Test func noInputDecodesToMoreThan32Operations() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let bytes = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(FuzzDecoder.decode(bytes).ops.count <= FuzzDecoder.maxOperations)
        }
    }

    @Test func decodingIsAFunctionOfTheBytes() {
        var rng = SplitMix64(seed: 8)
        for _ in 0..<100 {
            let bytes = (0..<300).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(FuzzDecoder.decode(bytes).ops == FuzzDecoder.decode(bytes).ops)
        }
    }
}
