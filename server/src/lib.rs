//! CLI front-end.
