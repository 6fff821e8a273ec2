import CSoftSEAM
import SEAMTypes

/// What `softseam --version` prints: the release (softseam.h's SOFTSEAM_VERSION, which also names the installed
/// library and the .pc's Version), the C ABI version, and the TDX module profiles the model implements.
enum SoftSEAMVersion {
    static var line: String {
        let profiles = ModuleProfile.all.map {
            $0.version == ModuleProfile.default.version ? "\($0) (default)" : "\($0)"
        }
        return "softseam \(SOFTSEAM_VERSION) (C ABI \(SOFTSEAM_ABI_VERSION); \(profiles.joined(separator: ", ")), "
            + "TD partitioning)"
    }
}
