//! Code generation from the editor: on save (`karmem.generate.onSave`), the
//! `karmem.generate` command and the code lens on the schema's header that runs it.
//!
//! No generation logic lives here: the project's `karmem.toml` is found and planned with
//! `karmem_codegen::config` and every job runs `karmem_codegen::build::generate_and_write`,
//! exactly as `karmem build` does. The same planning decides which targets' name problems
//! ([`karmem_codegen::Generator::problems`]) an open schema shows ([`problem_diagnostics`]). Runs happen on a blocking thread, one at a time (a
//! process-wide lock), and read the schema's saved text from disk, so the last run always
//! generates the newest saved text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use karmem_codegen::build::{generate_and_write, source_name};
use karmem_codegen::config::{self, Config, Job};
use karmem_codegen::{available_list, generator};
use karmem_syntax::analyze;
use karmem_syntax::line_index::Encoding;
use tower_lsp_server::ls_types as lsp;

use super::convert;
use super::documents::Analyzed;

/// The command that generates one schema: `arguments: [uri]`.
pub const COMMAND: &str = "karmem.generate";

/// Serialises runs: two saves in a row never write the same files concurrently.
static RUNNING: Mutex<()> = Mutex::new(());

/// What `karmem.toml` asks to generate for one schema.
pub struct SchemaJobs {
    pub config: Config,
    /// The jobs of this schema, in configuration order (possibly empty: not covered).
    pub jobs: Vec<Job>,
}

impl SchemaJobs {
    /// The target names, deduplicated, in order.
    pub fn targets(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for job in &self.jobs {
            if !out.contains(&job.target.value.as_str()) {
                out.push(&job.target.value);
            }
        }
        out
    }
}

/// The configuration governing `schema` and its jobs. `Ok(None)` when no `karmem.toml`
/// is found in the schema's directory or a parent; `Err` (a message with the file, line and
/// column) when the configuration is broken.
pub fn jobs_for(schema: &Path) -> Result<Option<SchemaJobs>, String> {
    let Some(dir) = schema.parent() else {
        return Ok(None);
    };
    let Some(path) = config::find(dir) else {
        return Ok(None);
    };
    let config = config::load(&path).map_err(|e| e.to_string())?;
    let jobs = jobs_in(&config, schema)?;
    Ok(Some(SchemaJobs { config, jobs }))
}

/// The jobs of `config` for `schema` (empty when no `[[generate]]` section covers it);
/// `Err` when the plan fails (a bad glob).
pub fn jobs_in(config: &Config, schema: &Path) -> Result<Vec<Job>, String> {
    let plan = config.plan().map_err(|e| e.to_string())?;
    let wanted = canonical(schema);
    Ok(plan
        .jobs
        .into_iter()
        .filter(|job| canonical(&job.schema) == wanted)
        .collect())
}

/// The targets `config` generates `schema` for that have a generator, deduplicated, in
/// configuration order (empty when the schema is not covered or the plan fails; unknown
/// and unavailable targets are reported elsewhere: in `karmem.toml` and by a run).
pub fn enabled_targets(config: &Config, schema: &Path) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for job in jobs_in(config, schema).unwrap_or_default() {
        if let Some(generator) = generator(&job.target.value) {
            if !out.contains(&generator.name()) {
                out.push(generator.name());
            }
        }
    }
    out
}

/// The diagnostics of the names `targets` cannot express in the analysed document (none
/// while it has errors): severity `Error` (generating that target would fail), source
/// `karmem-<target>`, message `<target> cannot express this: <problem>`, on the name.
pub fn problem_diagnostics(
    analyzed: &Analyzed,
    targets: &[&str],
    enc: Encoding,
) -> Vec<lsp::Diagnostic> {
    if analyzed.analysis.has_errors() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for target in targets {
        let Some(generator) = generator(target) else {
            continue;
        };
        for problem in generator.problems(&analyzed.analysis.schema) {
            out.push(lsp::Diagnostic {
                range: convert::range(&analyzed.index, problem.span, enc),
                severity: Some(lsp::DiagnosticSeverity::ERROR),
                source: Some(format!("karmem-{target}")),
                message: format!("{target} cannot express this: {}", problem.message),
                ..lsp::Diagnostic::default()
            });
        }
    }
    out
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// The result of one generation run.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No `karmem.toml`, or it does not list this schema: nothing to do.
    NotCovered,
    /// Every job ran; the files written (unchanged files are not rewritten).
    Generated {
        targets: Vec<String>,
        written: Vec<PathBuf>,
    },
    /// The schema has errors: nothing generated, previous output untouched.
    SchemaErrors,
    /// Something went wrong; the reasons, one per line.
    Failed(Vec<String>),
}

/// Generates `schema` (a path to a saved `.km` file) for every target `karmem.toml` lists
/// for it. Blocking; call it on a blocking thread.
pub fn run(schema: &Path) -> Outcome {
    let _running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    let shown = schema.display();
    let found = match jobs_for(schema) {
        Ok(Some(found)) => found,
        Ok(None) => return Outcome::NotCovered,
        Err(message) => return Outcome::Failed(vec![message]),
    };
    if found.jobs.is_empty() {
        return Outcome::NotCovered;
    }
    let config = &found.config;
    // Every target must exist before anything is written (as `karmem build` does).
    let missing: Vec<String> = found
        .targets()
        .into_iter()
        .filter(|t| generator(t).is_none())
        .map(|t| {
            format!(
                "target `{t}` is not available yet in this version of karmem (available: {})",
                available_list()
            )
        })
        .collect();
    if !missing.is_empty() {
        return Outcome::Failed(missing);
    }
    let text = match std::fs::read_to_string(schema) {
        Ok(text) => text,
        Err(e) => return Outcome::Failed(vec![format!("cannot read {shown}: {e}")]),
    };
    let analysis = analyze(&text, &config.analysis_options());
    if analysis.has_errors() {
        return Outcome::SchemaErrors;
    }
    let name = source_name(Some(&config.root), schema);
    let mut written = Vec::new();
    let mut errors = Vec::new();
    for job in &found.jobs {
        let Some(generator) = generator(&job.target.value) else {
            continue;
        };
        match generate_and_write(generator, &analysis, &name, &job.options, &job.out_dir) {
            Ok(report) => written.extend(report.written),
            Err(e) => errors.push(format!("{} output for {name}: {e}", generator.name())),
        }
    }
    if errors.is_empty() {
        Outcome::Generated {
            targets: found.targets().iter().map(|t| t.to_string()).collect(),
            written,
        }
    } else {
        Outcome::Failed(errors)
    }
}

/// The title of the code lens on the header: `Generate code (rust, golang)`.
pub fn lens_title(targets: &[&str]) -> String {
    format!("Generate code ({})", targets.join(", "))
}

/// The title of the code lens shown when generated output is out of date.
pub const STALE_TITLE: &str = "Generated code is stale — regenerate";

/// What the code lenses of a schema show.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LensInfo {
    /// The targets `karmem.toml` generates the schema for (empty: no lens).
    pub targets: Vec<String>,
    /// Some generated file exists and records the hash of another schema text than the
    /// saved one.
    pub stale: bool,
}

/// The output files each schema text generates, remembered per (schema, text hash, jobs),
/// so the stale check of every code-lens request reads file headers instead of analysing
/// and generating again.
#[derive(Default)]
pub struct OutputCache {
    known: Mutex<OutputMap>,
}

/// (schema, text hash, jobs) → the files generated for it.
type OutputMap = HashMap<(PathBuf, String, String), Arc<Vec<PathBuf>>>;

/// Entries kept before the cache starts over (one per schema version seen).
const OUTPUT_CACHE_LIMIT: usize = 256;

impl OutputCache {
    /// The files `found.jobs` write for `text` (`None` when the schema has errors or a
    /// generator refuses it).
    fn outputs(
        &self,
        schema: &Path,
        text: &str,
        hash: &str,
        found: &SchemaJobs,
    ) -> Option<Arc<Vec<PathBuf>>> {
        let key = (
            schema.to_path_buf(),
            hash.to_string(),
            format!("{:?}", found.jobs),
        );
        if let Some(known) = self.lock().get(&key) {
            return Some(known.clone());
        }
        let analysis = analyze(text, &found.config.analysis_options());
        if analysis.has_errors() {
            return None;
        }
        let name = source_name(Some(&found.config.root), schema);
        let mut paths = Vec::new();
        for job in &found.jobs {
            let Some(generator) = generator(&job.target.value) else {
                continue;
            };
            let Ok(files) = karmem_codegen::generate(generator, &analysis, &name, &job.options)
            else {
                continue;
            };
            paths.extend(files.iter().map(|file| job.out_dir.join(&file.path)));
        }
        let paths = Arc::new(paths);
        let mut known = self.lock();
        if known.len() >= OUTPUT_CACHE_LIMIT {
            known.clear();
        }
        known.insert(key, paths.clone());
        Some(paths)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OutputMap> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The lens information of the saved schema at `schema`. A broken configuration or a
/// schema that is not listed gives no targets; a schema with errors is never reported
/// stale (its output cannot be regenerated until it is fixed).
pub fn lens_info(schema: &Path, cache: &OutputCache) -> LensInfo {
    let Ok(Some(found)) = jobs_for(schema) else {
        return LensInfo::default();
    };
    let targets: Vec<String> = found.targets().iter().map(|t| t.to_string()).collect();
    let stale = is_stale(schema, &found, cache);
    LensInfo { targets, stale }
}

/// Some existing output file records another schema hash than the saved text's.
fn is_stale(schema: &Path, found: &SchemaJobs, cache: &OutputCache) -> bool {
    let Ok(text) = std::fs::read_to_string(schema) else {
        return false;
    };
    let hash = karmem_codegen::schema_hash(&text);
    let Some(outputs) = cache.outputs(schema, &text, &hash, found) else {
        return false;
    };
    outputs
        .iter()
        .any(|path| recorded_hash(path).is_some_and(|recorded| recorded != hash))
}

/// The schema hash in the header of a generated file (read from its first bytes only).
fn recorded_hash(path: &Path) -> Option<String> {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .ok()?
        .take(4096)
        .read_to_end(&mut head)
        .ok()?;
    karmem_codegen::read_header_hash(&String::from_utf8_lossy(&head))
}
