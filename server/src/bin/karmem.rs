//! The `karmem` command-line tool; see [`karmem_server::cli`].

fn main() -> std::process::ExitCode {
    karmem_server::cli::main()
}
