//! Rebuilds the crate when the embedded folders change: `include_dir!` does not tell cargo which
//! files it read, so edited catalog parts, docs pages or templates would otherwise be stale.

fn main() {
    for dir in ["../stdlib", "../docs/codes", "../targets"] {
        println!("cargo:rerun-if-changed={dir}");
        watch(std::path::Path::new(dir));
    }
}

fn watch(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        println!("cargo:rerun-if-changed={}", p.display());
        if p.is_dir() {
            watch(&p);
        }
    }
}
