//! Finds libsoftseam: SOFTSEAM_PREFIX (an install prefix: lib/ and include/ under it) first, then
//! pkg-config's `softseam` package (softseam.pc, from `make install`). Links it dynamically, with an rpath
//! for this crate's own tests and examples, and passes the library and header directories on to dependents
//! (DEP_SOFTSEAM_LIB_DIR, DEP_SOFTSEAM_INCLUDE_DIR) and to the layout test (SOFTSEAM_INCLUDE_DIR).
use std::env;
use std::path::Path;
use std::process::Command;

/// Stops the build with `message` (no backtrace: this is the user's set-up, not a bug).
fn stop(message: String) -> ! {
    eprintln!("\nsoftseam: {}\n", message);
    std::process::exit(1);
}

fn pkg_config_variable(name: &str) -> Result<String, String> {
    let exists = Command::new("pkg-config")
        .args(["--exists", "--print-errors", "softseam"])
        .output()
        .map_err(|e| format!("pkg-config could not be run ({})", e))?;
    if !exists.status.success() {
        return Err(format!(
            "pkg-config finds no softseam package ({})",
            String::from_utf8_lossy(&exists.stderr).trim().replace('\n', " ")
        ));
    }
    let output = Command::new("pkg-config")
        .args(["--variable", name, "softseam"])
        .output()
        .map_err(|e| format!("pkg-config could not be run ({})", e))?;
    if !output.status.success() {
        return Err(format!(
            "pkg-config --variable {} softseam failed: {}",
            name,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let value = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if value.is_empty() {
        return Err(format!("softseam.pc has no {} variable", name));
    }
    Ok(value)
}

fn main() {
    println!("cargo:rerun-if-env-changed=SOFTSEAM_PREFIX");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-changed=build.rs");
    let (lib_dir, include_dir) = match env::var("SOFTSEAM_PREFIX") {
        Ok(prefix) if !prefix.is_empty() => {
            let prefix = Path::new(&prefix);
            (prefix.join("lib"), prefix.join("include"))
        }
        _ => match (pkg_config_variable("libdir"), pkg_config_variable("includedir")) {
            (Ok(lib), Ok(include)) => (Path::new(&lib).to_path_buf(), Path::new(&include).to_path_buf()),
            (Err(e), _) | (_, Err(e)) => stop(format!(
                "libsoftseam not found.\n  SOFTSEAM_PREFIX is not set, and {}.\n  \
                 Install the library (`make install PREFIX=/some/prefix` in the SoftSEAM repository) and either\n  \
                 set SOFTSEAM_PREFIX=/some/prefix or add /some/prefix/lib/pkgconfig to PKG_CONFIG_PATH.",
                e
            )),
        },
    };
    let found = ["libsoftseam.so", "libsoftseam.so.1"].iter().any(|f| lib_dir.join(f).exists());
    if !found {
        stop(format!(
            "no libsoftseam.so in {} (from {}).\n  Install the library there with `make install PREFIX=…` \
             in the SoftSEAM repository.",
            lib_dir.display(),
            if env::var("SOFTSEAM_PREFIX").map(|p| !p.is_empty()).unwrap_or(false) {
                "SOFTSEAM_PREFIX"
            } else {
                "pkg-config's softseam.pc"
            }
        ));
    }
    if !include_dir.join("softseam.h").exists() {
        stop(format!("no softseam.h in {}.", include_dir.display()));
    }
    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    println!("cargo:rustc-link-lib=dylib=softseam");
    // Tests, examples and benches of this crate find the library without LD_LIBRARY_PATH.
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib_dir.display());
    println!("cargo:rustc-env=SOFTSEAM_INCLUDE_DIR={}", include_dir.display());
    // Metadata for dependents (links = "softseam"): DEP_SOFTSEAM_LIB_DIR and DEP_SOFTSEAM_INCLUDE_DIR.
    println!("cargo:lib_dir={}", lib_dir.display());
    println!("cargo:include_dir={}", include_dir.display());
}
