//! Display labels for attributes and their values (`labels.csv`: attribute,value,label_he,label_en).

use crate::error::{ErrorList, InputError};
use std::collections::HashMap;
use std::path::Path;

/// Labels for attribute names (value empty) and attribute values, in Hebrew and English.
#[derive(Debug, Clone, Default)]
pub struct ValueLabels {
    map: HashMap<(String, String), (String, String)>,
}

impl ValueLabels {
    /// Reads a labels CSV with header `attribute,value,label_he,label_en`.
    pub fn read(path: &Path) -> anyhow::Result<ValueLabels> {
        let text = std::fs::read_to_string(path).map_err(|e| InputError::open(path, &e))?;
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = rdr
            .headers()?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if header != ["attribute", "value", "label_he", "label_en"] {
            return Err(InputError::at(
                path,
                1,
                format!(
                    "expected the header attribute,value,label_he,label_en, found {}",
                    header.join(",")
                ),
            )
            .into());
        }
        let mut map = HashMap::new();
        let mut errors = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                InputError::at(
                    path,
                    e.position().map(|p| p.line() as usize).unwrap_or(0),
                    e.to_string(),
                )
            })?;
            let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
            if rec.len() != 4 {
                errors.push(InputError::at(
                    path,
                    line,
                    format!("row has {} fields, expected 4", rec.len()),
                ));
                continue;
            }
            let f = |i: usize| rec[i].trim().to_string();
            if f(0).is_empty() {
                errors.push(InputError::at(path, line, "empty attribute"));
                continue;
            }
            map.insert((f(0), f(1)), (f(2), f(3)));
        }
        if !errors.is_empty() {
            return Err(ErrorList(errors).into());
        }
        Ok(ValueLabels { map })
    }

    /// The label of `value` of `attribute` (or of the attribute itself when `value`
    /// is empty) in Hebrew or English; the raw text when none is given.
    pub fn label(&self, attribute: &str, value: &str, hebrew: bool) -> String {
        match self.map.get(&(attribute.to_string(), value.to_string())) {
            Some((he, en)) => {
                let l = if hebrew { he } else { en };
                if l.is_empty() {
                    value_or_attr(attribute, value)
                } else {
                    l.clone()
                }
            }
            None => value_or_attr(attribute, value),
        }
    }

    /// The label of one value of an attribute, as shown in tables and charts: an
    /// empty value reads "(ללא ערך)" / "(missing)" (never the attribute's own label).
    pub fn value(&self, attribute: &str, value: &str, hebrew: bool) -> String {
        match (value.is_empty(), hebrew) {
            (true, true) => MISSING_HE.to_string(),
            (true, false) => MISSING_EN.to_string(),
            (false, _) => self.label(attribute, value, hebrew),
        }
    }
}

/// How an empty attribute value (an interview with no value in the manifest) is shown.
pub const MISSING_HE: &str = "(ללא ערך)";
/// How an empty attribute value is shown in English.
pub const MISSING_EN: &str = "(missing)";

fn value_or_attr(attribute: &str, value: &str) -> String {
    if value.is_empty() {
        attribute.to_string()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_fallbacks() {
        let dir = std::env::temp_dir().join(format!("tamlil-labels-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("labels.csv");
        std::fs::write(
            &p,
            "attribute,value,label_he,label_en\nsector,,מגזר,Sector\nsector,public,ציבורי,Public\n",
        )
        .unwrap();
        let l = ValueLabels::read(&p).unwrap();
        assert_eq!(l.label("sector", "", true), "מגזר");
        assert_eq!(l.label("sector", "public", false), "Public");
        assert_eq!(l.label("sector", "third", true), "third");
        assert_eq!(l.value("sector", "public", true), "ציבורי");
        assert_eq!(l.value("sector", "", true), "(ללא ערך)");
        assert_eq!(l.value("sector", "", false), "(missing)");
        std::fs::write(&p, "attribute,value\n").unwrap();
        assert!(
            ValueLabels::read(&p)
                .unwrap_err()
                .to_string()
                .contains("labels.csv:1: expected the header")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
