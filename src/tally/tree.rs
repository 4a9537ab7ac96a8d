//! The code tree used for tallies: families, codes and sub-codes, and how codings roll up.

use std::collections::HashMap;

/// What level of the hierarchy a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Family,
    Code,
    SubCode,
}

/// One node of the tree: a family, a code or a sub-code.
#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub level: Level,
    pub family: String,
    pub label_he: String,
    pub label_en: String,
    pub color: String,
    /// Ancestors, nearest first (a sub-code: its code, then its family).
    pub ancestors: Vec<usize>,
}

/// A code as the tally sees it (built from a codebook).
#[derive(Debug, Clone)]
pub struct CodeSpec {
    pub id: String,
    pub family: String,
    pub parent: Option<String>,
    pub label_he: String,
    pub label_en: String,
    pub color: String,
}

/// Families, codes and sub-codes, with the map from codebook code index to node.
#[derive(Debug, Clone)]
pub struct CodeTree {
    pub nodes: Vec<Node>,
    /// For each codebook code (by index), its node.
    pub node_of_code: Vec<usize>,
    /// For each node, the second-level ancestor-or-self (its code) if it is not a family.
    pub code_of_node: Vec<Option<usize>>,
}

impl CodeTree {
    /// Builds the tree: families in order of first appearance, then codes in codebook
    /// order. A code whose parent is another code is a sub-code. `family_labels`
    /// gives (he, en) labels for families, where the codebook has them.
    pub fn new(codes: &[CodeSpec], family_labels: &HashMap<String, (String, String)>) -> CodeTree {
        let mut nodes = Vec::new();
        let mut family_node: HashMap<&str, usize> = HashMap::new();
        for c in codes {
            if !family_node.contains_key(c.family.as_str()) {
                let (he, en) = family_labels
                    .get(&c.family)
                    .cloned()
                    .unwrap_or_else(|| (c.family.clone(), c.family.clone()));
                family_node.insert(&c.family, nodes.len());
                nodes.push(Node {
                    id: c.family.clone(),
                    level: Level::Family,
                    family: c.family.clone(),
                    label_he: he,
                    label_en: en,
                    color: String::new(),
                    ancestors: Vec::new(),
                });
            }
        }
        let first_code = nodes.len();
        let index: HashMap<&str, usize> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), first_code + i))
            .collect();
        for c in codes {
            let fam = family_node[c.family.as_str()];
            let mut ancestors = Vec::new();
            let mut parent = c.parent.as_deref();
            let mut guard = 0;
            while let Some(p) = parent {
                match index.get(p) {
                    Some(&n) if guard < 16 => {
                        ancestors.push(n);
                        parent = codes[n - first_code].parent.as_deref();
                        guard += 1;
                    }
                    _ => break,
                }
            }
            ancestors.push(fam);
            let level = if ancestors.len() > 1 {
                Level::SubCode
            } else {
                Level::Code
            };
            nodes.push(Node {
                id: c.id.clone(),
                level,
                family: c.family.clone(),
                label_he: c.label_he.clone(),
                label_en: c.label_en.clone(),
                color: c.color.clone(),
                ancestors,
            });
        }
        let node_of_code = (0..codes.len()).map(|i| first_code + i).collect();
        let code_of_node = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| match n.level {
                Level::Family => None,
                Level::Code => Some(i),
                // The ancestor just below the family.
                Level::SubCode => n.ancestors.iter().rev().nth(1).copied(),
            })
            .collect();
        CodeTree {
            nodes,
            node_of_code,
            code_of_node,
        }
    }

    /// Node indices of the codes (second level) of `family`, in order.
    pub fn codes_of_family(&self, family: &str) -> Vec<usize> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.level == Level::Code && n.family == family)
            .map(|(i, _)| i)
            .collect()
    }

    /// The family nodes, in order.
    pub fn families(&self) -> Vec<usize> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.level == Level::Family)
            .map(|(i, _)| i)
            .collect()
    }

    /// The node of `id`, if any.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn spec(id: &str, parent: Option<&str>) -> CodeSpec {
        CodeSpec {
            id: id.into(),
            family: id.split('.').next().unwrap().into(),
            parent: parent.map(Into::into),
            label_he: format!("he:{id}"),
            label_en: format!("en:{id}"),
            color: "#000000".into(),
        }
    }

    /// goals.a, keys.k1 (+ sub-code keys.k1.s), keys.k2.
    pub fn small_tree() -> CodeTree {
        CodeTree::new(
            &[
                spec("goals.a", None),
                spec("keys.k1", None),
                spec("keys.k1.s", Some("keys.k1")),
                spec("keys.k2", None),
            ],
            &HashMap::new(),
        )
    }

    #[test]
    fn rollup_structure() {
        let t = small_tree();
        let ids: Vec<&str> = t.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "goals",
                "keys",
                "goals.a",
                "keys.k1",
                "keys.k1.s",
                "keys.k2"
            ]
        );
        assert_eq!(t.nodes[4].ancestors, vec![3, 1]);
        assert_eq!(t.nodes[4].level, Level::SubCode);
        assert_eq!(
            t.code_of_node,
            vec![None, None, Some(2), Some(3), Some(3), Some(5)]
        );
        assert_eq!(t.codes_of_family("keys"), vec![3, 5]);
        assert_eq!(t.node_of_code, vec![2, 3, 4, 5]);
    }
}
