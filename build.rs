//! Embeds every question file of `prompts/` in the binary: writes `$OUT_DIR/shipped_questions.rs`, a
//! list of `(file name, include_str!(...))` with `failure.toml` first and the others by name, so a
//! new question file joins the bank by being added to the folder.

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("prompts");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the prompts/ folder is readable")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") && n != "checks.toml" && !n.starts_with('.'))
        .collect();
    names.sort_by_key(|n| (n != "failure.toml", n.clone()));
    let mut out = String::from("&[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("]\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("shipped_questions.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}
