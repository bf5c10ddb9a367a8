//! Shared helpers for the end-to-end tests and benchmarks.

pub mod bin;
pub mod crosslang;
pub mod fixtures;
pub mod gen;
pub mod lsp_client;
