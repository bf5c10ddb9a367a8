//! Front-ends over `karmem-syntax`: the `karmem` command-line tool (and, later, the
//! language server).

pub mod cli;
