import SEAMTypes

/// TDG.VP.VMCALL<Service.L1VTPM>: how an L2 reaches the vTPM its L1 provides (Intel's "TD Partitioning based vTPM
/// Design Guide"). The L2 issues the GHCI's Service TDVMCALL (sub-function 0x10005: R12 = command buffer GPA, R13 =
/// response buffer GPA, R14 = notification vector, R15 = timeout); with L2_CTLS.ENABLE_TDVMCALL clear the module
/// turns it into an L2→L1 exit with reason 77, and the L1 answers it.
///
/// Buffers (GHCI Service layout): the command is GUID (16 bytes), length (4), reserved (4), then the service's
/// data; the response is GUID (16), length (4), status (4, 0 = success), then the service's data.
///
/// The service's data (design guide): a command is version (1 byte, 0), command (1 byte), two reserved bytes. A
/// response is version, command, status (0x01 = present: the L1 has started the TPM and extended the initial
/// boot block; 0xFF = absent) and a reserved byte, followed for Detect by the L1's TCG events
/// (TCG_PCR_EVENT2 records, `VTPM.Event.tcgBytes`, not wrapped in HOB headers).
///
/// The status values are the guide's. Intel's td-partitioning SVSM answers a Detect it serves with status 0x00
/// (and wraps the events in GUIDed HOBs ending in an end-of-HOB-list), and the OVMF side that reads it treats any
/// status other than 0 as "no vTPM": an L2 firmware built against that code would not accept SoftSEAM's 0x01.
///
/// Command 2, PCR read, is SoftSEAM's own: the guide's L2 reads PCRs with TPM2_PCR_Read through the TPM CRB
/// interface, which SoftSEAM does not emulate. Its command data goes on with the PCR index (4 bytes); its
/// response with the index (4 bytes) and the 48-byte SHA-384 PCR value.
public enum L1VTPMService {
    /// TDG.VP.VMCALL sub-function Service (GHCI).
    public static let serviceSubFunction: UInt64 = 0x10005
    /// {0x766cf580, 0x8dc3, 0x4cea, {0xa9, 0x4e, 0xe5, 0x42, 0x4d, 0xa1, 0xda, 0x56}} in its EFI_GUID byte
    /// order: the first three fields little-endian, the last eight bytes as written.
    public static let guid: [UInt8] = [
        0x80, 0xF5, 0x6C, 0x76, 0xC3, 0x8D, 0xEA, 0x4C, 0xA9, 0x4E, 0xE5, 0x42, 0x4D, 0xA1, 0xDA, 0x56,
    ]

    public enum Command: UInt8, Sendable {
        case detect = 1
        /// SoftSEAM's (see above).
        case pcrRead = 2
    }

    /// The response status byte.
    public static let present: UInt8 = 0x01
    public static let absent: UInt8 = 0xFF

    /// Offsets in the GHCI Service buffers.
    public static let lengthOffset = 16
    public static let statusOffset = 20
    public static let dataOffset = 24

    /// The bytes of a command buffer.
    public static func command(_ c: Command, pcr: UInt32? = nil) -> [UInt8] {
        let data: [UInt8] = [0, c.rawValue, 0, 0] + (pcr?.littleEndianBytes ?? [])
        return guid + UInt32(dataOffset + data.count).littleEndianBytes + [0, 0, 0, 0] + data
    }

    /// What the L1 answers a command buffer with: the response buffer's bytes (GUID, length, status 0, data), or
    /// nil when the buffer does not name this service (the L1 then fails the TDVMCALL).
    public static func respond(to buffer: [UInt8], vtpm: VTPM?) -> [UInt8]? {
        guard buffer.count >= dataOffset + 4, Array(buffer[0..<16]) == guid, buffer[dataOffset] == 0 else {
            return nil
        }
        let command = buffer[dataOffset + 1]
        let status = vtpm == nil ? absent : present
        var data: [UInt8] = [0, command, status, 0]
        switch (Command(rawValue: command), vtpm) {
        case (.detect?, let v?):
            data += v.events.flatMap(\.tcgBytes)
        case (.pcrRead?, let v?):
            let index =
                buffer.count >= dataOffset + 8
                ? Int(UInt32(littleEndianBytes: buffer[dataOffset + 4..<dataOffset + 8])) : -1
            guard (0..<VTPM.pcrCount).contains(index) else { return nil }
            data += UInt32(index).littleEndianBytes + v.pcrs[index]
        case (nil, _):
            return nil
        default:
            break
        }
        return guid + UInt32(dataOffset + data.count).littleEndianBytes + [0, 0, 0, 0] + data
    }
}
