//! Prints the diagnostics of a schema file (a debugging aid for developers).
fn main() {
    let path = std::env::args().nth(1).expect("usage: dump FILE");
    let text = std::fs::read_to_string(&path).expect("readable file");
    let analysis = karmem_syntax::analyze(&text, &Default::default());
    for d in &analysis.diagnostics {
        println!("{:?} {} {:?} {}", d.span, d.code, d.severity, d.message);
    }
}
