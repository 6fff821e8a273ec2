import SEAMTypes

/// How L1 sees and changes the TDVPS fields it reaches with TDG.VP.RD/WR: the module's special handling of
/// guest CR0/CR4, the CR guest/host masks and read shadows, and the per-VM management fields (module
/// `src/common/metadata_handlers/metadata_vp.c`: `md_vp_get_element_special_rd_handle`,
/// `md_vp_element_l2_vmcs_wr_handle`, `md_vp_element_tdvps_wr_handle`).
extension Machine {
    /// The base L2 CR0 guest/host mask, the same for every L2 VM: every bit L1 may not write (NE, NW, CD and
    /// the reserved bits); PE and PG are left to the guest (unrestricted guest; module
    /// `src/common/helpers/helpers.c`, `init_tdvps_fields`).
    static var baseCR0Mask: UInt64 { ~L2VMCSLayout.fields[L2VMCSLayout.guestCR0].writeMask }
    /// The base L2 CR0 read shadow: NE.
    static var baseCR0Shadow: UInt64 { CR0.ne.rawValue }
    /// The base L2 CR4 guest/host mask: the complement of the CR4 bits L1 may give L2 in this TD — the table's
    /// write mask (0x03FF1FBF) less the bits the platform's CR4_FIXED1 lacks and the features this TD leaves
    /// off (`cr4Allowed`); 0xFFFFFFFFFFC8F040 for the default TD on SoftSEAM's platform (no LA57; module
    /// `init_tdvps_fields` and `calc_base_l2_cr4_write_mask` in `src/common/helpers/helpers.h` — the module's
    /// 0xFFFFFFFFFFC8E040 on a platform with LA57).
    var baseCR4Mask: UInt64 { ~(L2VMCSLayout.fields[L2VMCSLayout.guestCR4].writeMask & cr4Allowed) }
    /// The base L2 CR4 read shadow: MCE | VMXE.
    static var baseCR4Shadow: UInt64 { CR4.mce.union(.vmxe).rawValue }

    /// The value TDG.VP.RD reports for `field` before its read mask: guest CR0/CR4 through the base mask and
    /// shadow, L1's own copies of the CR masks and shadows, the stored value otherwise.
    func l1View(_ v: VCPU, _ field: VPField) -> UInt64 {
        switch field {
        case .management(let m, let vm):
            switch m {
            case .vcpuIndex: return UInt64(v.index)
            case .cpuidSupervisorVE: return UInt64(v.cpuidVE & 0xFF)
            case .cpuidUserVE: return UInt64(v.cpuidVE >> 8 & 0xFF)
            case .currentVM: return UInt64(v.currentVM)
            case .l2ExitHostRouting: return UInt64(v.hostRouting.rawValue)
            case .l2Ctls: return v.l2Ctls[vm]
            case .tscDeadline: return v.tscDeadline[vm]
            case .vmLaunched: return UInt64(v.vmLaunched >> UInt8(vm) & 1)
            case .l2DebugCtls: return 0
            }
        case .msrBitmap(let vm, let word):
            return v.msrBitmap(vm, word: word)
        case .vmcs(let vm, let row):
            let raw = v.vmcs(vm, row)
            switch row {
            case L2VMCSLayout.guestCR0: return raw & ~Machine.baseCR0Mask | Machine.baseCR0Shadow & Machine.baseCR0Mask
            case L2VMCSLayout.guestCR4: return raw & ~baseCR4Mask | Machine.baseCR4Shadow & baseCR4Mask
            case L2VMCSLayout.cr0GuestHostMask: return v.l1CR0Mask[vm]
            case L2VMCSLayout.cr4GuestHostMask: return v.l1CR4Mask[vm]
            case L2VMCSLayout.cr0ReadShadow: return v.l1CR0Shadow[vm]
            case L2VMCSLayout.cr4ReadShadow: return v.l1CR4Shadow[vm]
            default: return raw
            }
        }
    }

    /// Stores a value TDG.VP.WR has checked, with the module's side effects: guest CR0/CR4 keep their
    /// base-owned bits; a CR mask or shadow updates L1's copy and recombines the VMCS mask and shadow with
    /// the base ones; a new virtual-APIC GPA drops the cached translation.
    mutating func storeL1Write(vcpu i: Int, _ field: VPField, _ value: UInt64) {
        switch field {
        case .management(let m, let vm):
            switch m {
            case .cpuidSupervisorVE: vcpus[i].cpuidVE = vcpus[i].cpuidVE & 0xFF00 | UInt16(value & 0xFF)
            case .cpuidUserVE: vcpus[i].cpuidVE = vcpus[i].cpuidVE & 0x00FF | UInt16(value & 0xFF) << 8
            case .l2Ctls: vcpus[i].l2Ctls[vm] = value
            case .tscDeadline: vcpus[i].tscDeadline[vm] = value
            default: break  // write mask 0: never reached
            }
        case .msrBitmap(let vm, let word):
            vcpus[i].setMSRBitmap(vm, word: word, value)
        case .vmcs(let vm, let row):
            let raw = vcpus[i].vmcs(vm, row)
            switch row {
            case L2VMCSLayout.guestCR0:
                vcpus[i].setGuestState(vm, row, value & ~Machine.baseCR0Mask | raw & Machine.baseCR0Mask)
            case L2VMCSLayout.guestCR4:
                vcpus[i].setGuestState(vm, row, value & ~baseCR4Mask | raw & baseCR4Mask)
            case L2VMCSLayout.cr0GuestHostMask, L2VMCSLayout.cr0ReadShadow:
                if row == L2VMCSLayout.cr0GuestHostMask {
                    vcpus[i].l1CR0Mask[vm] = value
                } else {
                    vcpus[i].l1CR0Shadow[vm] = value
                }
                combineCRControls(vcpu: i, vm: vm, cr4: false)
            case L2VMCSLayout.cr4GuestHostMask, L2VMCSLayout.cr4ReadShadow:
                if row == L2VMCSLayout.cr4GuestHostMask {
                    vcpus[i].l1CR4Mask[vm] = value
                } else {
                    vcpus[i].l1CR4Shadow[vm] = value
                }
                combineCRControls(vcpu: i, vm: vm, cr4: true)
            case L2VMCSLayout.virtualAPICAddress:
                // Every write drops the cached HPA of the virtual-APIC page (bit vm + 4; bit vm is the buffer's):
                // the next TDG.VP.ENTER translates the GPA again (module `metadata_vp.c`, which sets
                // `l2_vapic_hpa` to NULL_PA).
                vcpus[i].translationsCached &= ~(1 << UInt8(vm + 4))
                vcpus[i].setVMCS(vm, row, value)
            default:
                vcpus[i].setGuestState(vm, row, value)
            }
        }
    }

    /// The VMCS mask is the base mask OR L1's; each shadow bit is L1's where L1 owns the bit, the base
    /// shadow's where only the base mask owns it, 0 elsewhere (module `metadata_vp.c`,
    /// `combine_l2_cr0_cr4_controls`).
    mutating func combineCRControls(vcpu i: Int, vm: Int, cr4: Bool) {
        let v = vcpus[i]
        let (baseMask, baseShadow) =
            cr4 ? (baseCR4Mask, Machine.baseCR4Shadow) : (Machine.baseCR0Mask, Machine.baseCR0Shadow)
        let (l1Mask, l1Shadow) = cr4 ? (v.l1CR4Mask[vm], v.l1CR4Shadow[vm]) : (v.l1CR0Mask[vm], v.l1CR0Shadow[vm])
        let shadow = l1Shadow & l1Mask | baseShadow & baseMask & ~l1Mask
        vcpus[i].setVMCS(vm, cr4 ? L2VMCSLayout.cr4GuestHostMask : L2VMCSLayout.cr0GuestHostMask, baseMask | l1Mask)
        vcpus[i].setVMCS(vm, cr4 ? L2VMCSLayout.cr4ReadShadow : L2VMCSLayout.cr0ReadShadow, shadow)
    }
}
