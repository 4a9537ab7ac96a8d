//! The report's and charts' fixed wording in Hebrew and English.

use super::charts::Lang;

/// A phrase in the chosen language.
pub fn w(lang: Lang, key: &str) -> &'static str {
    let he = lang == Lang::He;
    match key {
        "title" => {
            if he {
                "תמליל – דוח ניתוח"
            } else {
                "tamlil – analysis report"
            }
        }
        "interviews" => {
            if he {
                "ראיונות"
            } else {
                "Interviews"
            }
        }
        "units" => {
            if he {
                "יחידות משמעות של מרואיינים"
            } else {
                "Interviewee meaning units"
            }
        }
        "words" => {
            if he {
                "מילים (מרואיינים)"
            } else {
                "Words (interviewees)"
            }
        }
        "codings" => {
            if he {
                "קידודים"
            } else {
                "Codings"
            }
        }
        "coded_units" => {
            if he {
                "יחידות מקודדות"
            } else {
                "Coded units"
            }
        }
        "codebook" => {
            if he {
                "ספר קודים"
            } else {
                "Codebook"
            }
        }
        "findings" => {
            if he {
                "ממצאים סטטיסטיים"
            } else {
                "Statistical findings"
            }
        }
        "charts" => {
            if he {
                "תרשימים"
            } else {
                "Charts"
            }
        }
        "tables" => {
            if he {
                "טבלאות"
            } else {
                "Tables"
            }
        }
        "quotes" => {
            if he {
                "ציטוטים מייצגים"
            } else {
                "Representative quotes"
            }
        }
        "code" => {
            if he {
                "קוד"
            } else {
                "Code"
            }
        }
        "share" => {
            if he {
                "שיעור ממוצע"
            } else {
                "Mean share"
            }
        }
        "pct_units" => {
            if he {
                "% מהיחידות"
            } else {
                "% of units"
            }
        }
        "pct_interviews" => {
            if he {
                "% מהראיונות"
            } else {
                "% of interviews"
            }
        }
        "key_mix" => {
            if he {
                "תמהיל המפתחות לפי"
            } else {
                "Key mix by"
            }
        }
        "heatmap" => {
            if he {
                "שימוש במפתחות לפי"
            } else {
                "Use of the keys by"
            }
        }
        "continua" => {
            if he {
                "תפיסת התפקיד: מיקום כל ראיון על הרצפים"
            } else {
                "Role perception: each interview on the continua"
            }
        }
        "by" => {
            if he {
                "לפי"
            } else {
                "by"
            }
        }
        "cooc" => {
            if he {
                "קודים המופיעים יחד באותה יחידה (Jaccard)"
            } else {
                "Codes coded together in one unit (Jaccard)"
            }
        }
        "pair" => {
            if he {
                "צמד קודים"
            } else {
                "Pair of codes"
            }
        }
        "both" => {
            if he {
                "יחידות משותפות"
            } else {
                "Units with both"
            }
        }
        "no_quotes" => {
            if he {
                "אין ציטוטים בקבוצה זו"
            } else {
                "No quotes in this group"
            }
        }
        "mean_ci" => {
            if he {
                "ממוצע [רווח בר-סמך 95%]"
            } else {
                "Mean [95% CI]"
            }
        }
        "continuum" => {
            if he {
                "רצף"
            } else {
                "Continuum"
            }
        }
        "position" => {
            if he {
                "ממוצע (מספר ראיונות)"
            } else {
                "Mean (interviews)"
            }
        }
        "interview" => {
            if he {
                "ראיון"
            } else {
                "Interview"
            }
        }
        "matrix" => {
            if he {
                "ראיון × משפחת קודים: מספר יחידות מקודדות"
            } else {
                "Interview × code family: coded units"
            }
        }
        "footer" => {
            if he {
                "הופק על ידי tamlil. האחוזים מחושבים מתוך יחידות המשמעות של המרואיינים בכל קבוצה; ערכי p של מבחני הפרמוטציה מחושבים ברמת הראיון (ערבוב שיוך הקבוצה בין ראיונות)."
            } else {
                "Produced by tamlil. Percentages are of each group's interviewee meaning units; permutation p-values are computed at interview level (shuffling group membership across interviews)."
            }
        }
        _ => "",
    }
}
