//! Options of the commands that can pseudonymise their outputs (`run`, `export qdpx`).

use crate::corpus::Manifest;
use crate::error::{InputError, Kind};
use crate::output::{absolute, beside, write_atomic};
use crate::redact::{
    Lang, MappingEntry, NameEntry, Redactor, names_from_manifest, read_names_file,
    write_mapping_csv,
};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// The manifest column read for names when `--names-column` is not given.
pub const DEFAULT_NAMES_COLUMN: &str = "names";

/// Pseudonymisation options.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RedactArgs {
    /// Pseudonymise every output: listed names, Israeli ID numbers with a valid check
    /// digit, phone numbers, e-mail addresses and street addresses become stable
    /// placeholders ([שם-1], [כתובת-1], [ת"ז], [טלפון], [דוא"ל]). Coding runs on the
    /// original text, so the codes do not change. The private mapping of placeholders
    /// to what they replaced is written outside the output (see --redaction-map).
    #[arg(long)]
    pub redact: bool,
    /// Names to redact, one a line: `name` or `name,kind` (kind: person, place, org);
    /// spellings of one name separated by `|` (`רונית כהן|רונית`).
    #[arg(long, value_name = "FILE", requires = "redact")]
    pub names: Option<PathBuf>,
    /// Manifest column with names to redact (`;` between names, `|` between spellings
    /// of one name); it is taken out of the attributes, so no output shows it
    /// [default: names, when the manifest has it].
    #[arg(long, value_name = "COLUMN", requires = "redact")]
    pub names_column: Option<String>,
    /// Where to write the private mapping (CSV: placeholder, kind, original, doc_id,
    /// count, forms); never inside the output [default: OUT.redaction.csv beside OUT].
    #[arg(long, value_name = "FILE", requires = "redact")]
    pub redaction_map: Option<PathBuf>,
}

impl RedactArgs {
    /// The redactor these options ask for (None without `--redact`). The names
    /// column is taken out of `manifest`; placeholders are in `lang`.
    pub fn redactor(&self, manifest: &mut Manifest, lang: Lang) -> Result<Option<Redactor>> {
        if !self.redact {
            return Ok(None);
        }
        let mut names: Vec<NameEntry> = Vec::new();
        if let Some(f) = &self.names {
            names.extend(read_names_file(f)?);
        }
        let column = self.names_column.as_deref().unwrap_or(DEFAULT_NAMES_COLUMN);
        // The default column is optional; a column asked for must be there.
        if self.names_column.is_some() || manifest.attribute_index(column).is_some() {
            names.extend(names_from_manifest(manifest, column)?);
            manifest.remove_attribute(column);
        }
        Ok(Some(Redactor::new(&names, lang)))
    }

    /// Where the mapping goes for output `out`: `--redaction-map`, or
    /// `OUT.redaction.csv` beside `out`. Refused inside `out` (exit 73), since
    /// everything there is meant to be shared.
    pub fn mapping_path(&self, out: &Path) -> Result<PathBuf> {
        let path = match &self.redaction_map {
            Some(p) => p.clone(),
            None => beside(out, ".redaction.csv"),
        };
        if absolute(&path).starts_with(absolute(out)) {
            return Err(InputError::with_kind(
                Kind::CantCreate,
                &path,
                format!(
                    "the redaction mapping holds the identifiers themselves and must not be \
                     written inside the output {}; choose a --redaction-map outside it",
                    out.display()
                ),
            )
            .into());
        }
        Ok(path)
    }
}

/// Writes the private mapping to `path` (atomically, readable by its owner only).
pub fn write_mapping(path: &Path, entries: &[MappingEntry]) -> Result<()> {
    let mut bytes = Vec::new();
    write_mapping_csv(entries, &mut bytes)?;
    write_atomic(path, &bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
    }
    Ok(())
}
