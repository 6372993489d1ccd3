//! Rebuilds when a migration folder is added (`migrations!()` embeds the
//! files, but cargo does not watch the directory itself).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
