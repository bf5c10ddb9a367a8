//! One build step, shared by `karmem build` and the language server's on-save generation:
//! generate one analysed schema for one target and write the files safely.

use std::fmt;
use std::path::Path;

use karmem_syntax::Analysis;

use crate::write::{write_files, WriteError, WriteReport};
use crate::{generate, GenerateError, Generator, TargetOptions};

/// Why a build step failed.
#[derive(Debug)]
pub enum BuildError {
    Generate(GenerateError),
    Write(WriteError),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Generate(e) => e.fmt(f),
            BuildError::Write(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BuildError {}

/// Generates `analysis` with `generator` (see [`crate::generate`]: nothing for a schema
/// with errors) and writes the files below `out_dir` (see [`write_files`]: validated,
/// atomic, unchanged files untouched).
pub fn generate_and_write(
    generator: &dyn Generator,
    analysis: &Analysis,
    source_name: &str,
    options: &TargetOptions,
    out_dir: &Path,
) -> Result<WriteReport, BuildError> {
    let files =
        generate(generator, analysis, source_name, options).map_err(BuildError::Generate)?;
    write_files(out_dir, &files).map_err(BuildError::Write)
}

/// The name a schema goes by in generated headers: its path relative to `root` with `/`
/// separators when it is below `root`, else its file name. Stable across machines and
/// working directories.
pub fn source_name(root: Option<&Path>, schema: &Path) -> String {
    let relative = root.and_then(|root| schema.strip_prefix(root).ok());
    match relative {
        Some(rel) if rel.components().count() > 0 => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        _ => schema
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| schema.to_string_lossy().into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::{read_header_hash, schema_hash, GenerateInput, GeneratedFile};
    use karmem_syntax::{analyze, AnalysisOptions};

    /// A stand-in target that writes the module name and its options.
    struct Fake;

    impl Generator for Fake {
        fn name(&self) -> &'static str {
            "rust"
        }
        fn generate(&self, input: &GenerateInput) -> Result<Vec<GeneratedFile>, GenerateError> {
            let options: Vec<String> = input
                .options
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let text = format!("// {}\n// {}\n", input.header(), options.join(","));
            Ok(vec![GeneratedFile::new(
                input.default_file_name("rs"),
                text,
            )
            .unwrap()])
        }
    }

    #[test]
    fn config_to_files() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir(root.join("schemas")).unwrap();
        std::fs::write(
            root.join("schemas/game.km"),
            "karmem game @rust.import(`crate::km`);\nstruct A inline { X uint8; }\n",
        )
        .unwrap();
        std::fs::write(
            root.join("schemas/bad.km"),
            "karmem bad;\nstruct A inline { X Nope; }\n",
        )
        .unwrap();
        std::fs::write(
            root.join(config::FILE_NAME),
            "[[generate]]\nschemas = [\"schemas/*.km\"]\ntargets = [\"rust\"]\nout = \"gen\"\n[generate.options.rust]\nimport = \"other\"\nderive = \"serde\"\n",
        )
        .unwrap();
        let config = config::load(&root.join(config::FILE_NAME)).unwrap();
        let plan = config.plan().unwrap();
        assert_eq!(plan.jobs.len(), 2);
        let mut written = Vec::new();
        let mut failed = Vec::new();
        for job in &plan.jobs {
            let text = std::fs::read_to_string(&job.schema).unwrap();
            let analysis = analyze(&text, &config.analysis_options());
            let name = source_name(Some(&config.root), &job.schema);
            match generate_and_write(&Fake, &analysis, &name, &job.options, &job.out_dir) {
                Ok(report) => written.extend(report.written),
                Err(e) => failed.push((name, e.to_string())),
            }
        }
        assert_eq!(written, [root.join("gen/rust/game_generated.rs")]);
        assert_eq!(
            failed,
            [(
                "schemas/bad.km".to_string(),
                "the schema has errors; nothing generated".to_string()
            )]
        );
        let out = std::fs::read_to_string(root.join("gen/rust/game_generated.rs")).unwrap();
        // Header tag beats karmem.toml; other configured options pass through.
        assert!(out.contains("// derive=serde,import=crate::km\n"), "{out}");
        assert!(out.contains("from schemas/game.km;"), "{out}");
        let text = std::fs::read_to_string(root.join("schemas/game.km")).unwrap();
        assert_eq!(read_header_hash(&out), Some(schema_hash(&text)));
        assert!(!root.join("gen/rust/bad_generated.rs").exists());
        // Second run: unchanged.
        let analysis = analyze(&text, &AnalysisOptions::default());
        let report = generate_and_write(
            &Fake,
            &analysis,
            "schemas/game.km",
            &plan.jobs[1].options,
            &plan.jobs[1].out_dir,
        )
        .unwrap();
        assert!(report.written.is_empty() && report.unchanged.len() == 1);
    }

    #[test]
    fn source_names_are_stable() {
        assert_eq!(
            source_name(Some(Path::new("/p")), Path::new("/p/s/game.km")),
            "s/game.km"
        );
        assert_eq!(source_name(None, Path::new("../x/game.km")), "game.km");
        assert_eq!(
            source_name(Some(Path::new("/p")), Path::new("/q/game.km")),
            "game.km"
        );
    }
}
