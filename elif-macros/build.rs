//! Re-runs the macros (by rebuilding this crate, and so its dependents)
//! when `ELIF_MACROS_DEBUG` changes, so that turning it on prints every
//! expansion without a `cargo clean`.

fn main() {
    println!("cargo:rerun-if-env-changed=ELIF_MACROS_DEBUG");
    println!("cargo:rerun-if-changed=build.rs");
}
