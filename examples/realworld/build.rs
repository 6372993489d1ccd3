//! Rebuilds the app when a migration folder is added or removed
//! (`elif::migrations!()` embeds the files; cargo watches their contents,
//! not the directory).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
