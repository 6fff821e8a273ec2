//! The binary finds libsoftseam where the `softseam` crate found it (DEP_SOFTSEAM_LIB_DIR), without
//! LD_LIBRARY_PATH.
fn main() {
    if let Ok(dir) = std::env::var("DEP_SOFTSEAM_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir);
    }
}
