//! Code generators for Karmem schemas.
//!
//! Nothing lives here yet: the generator framework and its targets are the subject of the
//! code-generation issues. The crate exists so the workspace layout (syntax → codegen →
//! server) is fixed from the start; it depends only on `karmem-syntax`.
