//! Front-ends over `karmem-syntax`: the `karmem` command-line tool and the `karmem-lsp`
//! language server.

pub mod cli;
pub mod git;
pub mod lsp;
