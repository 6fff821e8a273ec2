//! The crate's own tests find libsoftseam where the `softseam` crate found it (its DEP_SOFTSEAM_LIB_DIR).
fn main() {
    if let Ok(dir) = std::env::var("DEP_SOFTSEAM_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir);
    }
}
