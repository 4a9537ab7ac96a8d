//! Pseudonymisation of transcripts: planted names, ID numbers, phones, e-mails and addresses.
//!
//! Every expected text below was written by hand from the rules in `src/redact/mod.rs`.
//! ID check digits were computed by hand (digits times 1,2,1,2,...; digit sums of the
//! products; total divisible by 10) and checked with a five-line Python script.

mod common;

use tamlil::redact::{
    ItemKind, Lang, NameEntry, NameKind, Redactor, char_slice, is_valid_israeli_id,
    names_from_manifest, read_names_file,
};

fn person(n: &str) -> NameEntry {
    NameEntry::new(n, NameKind::Person)
}

fn redact_one(names: &[NameEntry], text: &str) -> String {
    Redactor::new(names, Lang::Hebrew).redact("D1", text).text
}

/// Character offset of the first occurrence of `needle` in `hay`.
fn char_pos(hay: &str, needle: &str) -> usize {
    hay[..hay.find(needle).expect(needle)].chars().count()
}

#[test]
fn names_with_clitic_prefixes_whole_words_only() {
    let names = [person("משה לוי"), person("רונית"), person("רון")];
    let text = "עו\"ס: פניתי לרונית מהמחלקה, ורונית אמרה שרונית כבר טיפלה בזה. \
                אהרון מהלשכה דיבר עם משה לוי ועם רון, ומשה מהקבלה לא ענה.";
    // רונית first (1), then משה לוי (2), then רון (3); אהרון and the lone משה stay.
    let want = "עו\"ס: פניתי ל[שם-1] מהמחלקה, ו[שם-1] אמרה ש[שם-1] כבר טיפלה בזה. \
                אהרון מהלשכה דיבר עם [שם-2] ועם [שם-3], ומשה מהקבלה לא ענה.";
    assert_eq!(redact_one(&names, text), want);
}

#[test]
fn name_is_not_found_inside_a_longer_word() {
    // טל is a listed name; טלפון, בטלפון and מטלות contain it but are other words.
    let names = [person("טל")];
    let text = "דיברתי בטלפון עם טל, ולטל היו הרבה מטלות.";
    assert_eq!(
        redact_one(&names, text),
        "דיברתי בטלפון עם [שם-1], ול[שם-1] היו הרבה מטלות."
    );
}

#[test]
fn names_match_through_niqqud_marks_and_geresh_spellings() {
    let names = [person("רונית"), person("ג'ני")];
    // לְרוֹנִית with niqqud: the prefix keeps its sheva; a right-to-left mark inside
    // a name; ג׳ני with a Hebrew geresh (U+05F3) for the listed ASCII apostrophe.
    let text = "שָׁלַחְתִּי לְרוֹנִית מכתב, ואז רו\u{200F}נית ענתה ל\u{200F}ג׳ני.";
    assert_eq!(
        redact_one(&names, text),
        "שָׁלַחְתִּי לְ[שם-1] מכתב, ואז [שם-1] ענתה ל\u{200F}[שם-2]."
    );
}

#[test]
fn multi_word_names_and_spellings_share_a_placeholder() {
    // One person, three spellings; the full name wins over its first word.
    let names = [person("רונית כהן|רונית|כהן"), person("עו\"ד ברק")];
    let text = "רונית כהן הגיעה. אחר כך רונית חזרה, וכהן התקשר לעו״ד ברק.";
    assert_eq!(
        redact_one(&names, text),
        "[שם-1] הגיעה. אחר כך [שם-1] חזרה, ו[שם-1] התקשר ל[שם-2]."
    );
}

#[test]
fn place_and_organisation_kinds() {
    let names = [
        NameEntry::new("רעננה", NameKind::Place),
        NameEntry::new("עמותת אור", NameKind::Org),
        person("דנה"),
    ];
    let text = "דנה עובדת בעמותת אור ברעננה.";
    assert_eq!(
        redact_one(&names, text),
        "[שם-1] עובדת ב[ארגון-1] ב[מקום-1]."
    );
}

#[test]
fn israeli_id_numbers_with_valid_check_digits() {
    // 123456782: 1+4+3+8+5+(12->3)+7+(16->7)+2 = 40, valid.
    // 30001234-1: 3+0+0+0+1+4+3+8 = 19, check digit 1 makes 20, valid.
    // 12345674 after "מספר זהות", read as 012345674: 0+2+2+6+4+(10->1)+6+(14->5)+4 = 30, valid.
    // 123456789: 47, invalid; 039337424: 0+6+9+6+3+(14->5)+4+4+4 = 41, invalid.
    // 12345674 without an ID cue: eight digits alone are not taken.
    assert!(is_valid_israeli_id("123456782") && is_valid_israeli_id("300012341"));
    assert!(is_valid_israeli_id("012345674") && !is_valid_israeli_id("039337424"));
    let text = "ת\"ז שלה 123456782, ושל הבן 30001234-1. מספר זהות 12345674. \
                ואז היא נתנה לי 123456789 וגם ת\"ז 039337424 שזה לא נכון. קוד הלקוח שלה במערכת שלנו 12345674.";
    let want = "ת\"ז שלה [ת\"ז], ושל הבן [ת\"ז]. מספר זהות [ת\"ז]. \
                ואז היא נתנה לי 123456789 וגם ת\"ז 039337424 שזה לא נכון. קוד הלקוח שלה במערכת שלנו 12345674.";
    let mut r = Redactor::new(&[], Lang::Hebrew);
    assert_eq!(r.redact("D1", text).text, want);
    let keys: Vec<&str> = r.mapping().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["123456782", "300012341", "012345674"]);
    assert!(r.mapping().iter().all(|e| e.kind == ItemKind::Id));
}

#[test]
fn valid_id_inside_an_amount_or_a_longer_number_stays() {
    // 123456782 is valid, but here it is an amount, part of a longer number, or glued
    // to Latin letters.
    let text = "התקציב היה 123456782 ש\"ח, או ₪123456782, והמספר 1234567820 או 2018-123456782 או AB123456782.";
    assert_eq!(redact_one(&[], text), text);
}

#[test]
fn phone_numbers_in_israeli_forms() {
    let text = "הטלפון שלי 050-1234567, או 052-123-4567, בבית 02-6234567 ובעבודה 03 5123456. \
                מחו\"ל: +972-54-7654321 או 00972 2 6234567, פקס (08) 9123456, \
                תתקשרי ל-0501234567 או 077-7123456.";
    let want = "הטלפון שלי [טלפון], או [טלפון], בבית [טלפון] ובעבודה [טלפון]. \
                מחו\"ל: [טלפון] או [טלפון], פקס [טלפון], \
                תתקשרי ל-[טלפון] או [טלפון].";
    let mut r = Redactor::new(&[], Lang::Hebrew);
    assert_eq!(r.redact("D1", text).text, want);
    // 050-1234567 and 0501234567 are one number; 02-6234567 and 00972 2 6234567 too.
    let keys: Vec<(&str, usize)> = r
        .mapping()
        .iter()
        .map(|e| (e.key.as_str(), e.total()))
        .collect();
    assert_eq!(
        keys,
        [
            ("0501234567", 2),
            ("0521234567", 1),
            ("026234567", 2),
            ("035123456", 1),
            ("0547654321", 1),
            ("089123456", 1),
            ("0777123456", 1),
        ]
    );
    assert_eq!(r.mapping()[0].forms, ["050-1234567", "0501234567"]);
}

#[test]
fn nine_digit_landline_after_an_id_is_a_phone() {
    // 036123456 fails the ID check (0+6+6+2+2+6+4+(10->1)+6 = 33), and a phone cue
    // stands between it and the ID cue, so it is a landline; 039337424 (invalid,
    // 41) right after ת"ז is an ID with a wrong check digit and stays.
    let text = "ת\"ז שלה 123456782, והטלפון 036123456. ת\"ז של הבן 039337424.";
    assert_eq!(
        redact_one(&[], text),
        "ת\"ז שלה [ת\"ז], והטלפון [טלפון]. ת\"ז של הבן 039337424."
    );
}

#[test]
fn dates_amounts_and_times_stay() {
    let text = "נפגשנו ב-14.3.2018 ושוב ב14/03/2018 וב-04-03-2018, בשעה 10:30. \
                קיבלתי 3,500 ש\"ח ואחר כך 1,250,000 ₪, כלומר 15% מהסכום, בשנת 2019.";
    assert_eq!(redact_one(&[], text), text);
}

#[test]
fn email_addresses() {
    let text = "שלחתי לה מייל ל-ronit.cohen@gmail.com ועוד אחד ל Moshe_Levi@walla.co.il.";
    let mut r = Redactor::new(&[], Lang::Hebrew);
    assert_eq!(
        r.redact("D1", text).text,
        "שלחתי לה מייל ל-[דוא\"ל] ועוד אחד ל [דוא\"ל]."
    );
    assert_eq!(r.mapping()[1].key, "moshe_levi@walla.co.il");
}

#[test]
fn street_addresses_with_and_without_prefixes() {
    let text = "גרתי ברחוב הרצל 12 בתל אביב, ואחר כך עברתי לרח' ז'בוטינסקי 5א. \
                המשרד נמצא בשדרות ירושלים 100, ליד דרך מנחם בגין 132. \
                רחוב הרצל 12 זה ליד הים, וגם רח׳ הרצל 12/3 שם.";
    // רחוב הרצל 12 and רח׳ הרצל 12 are one address; 12/3 is another (an apartment).
    let want = "גרתי ב[כתובת-1] בתל אביב, ואחר כך עברתי ל[כתובת-2]. \
                המשרד נמצא ב[כתובת-3], ליד [כתובת-4]. \
                [כתובת-1] זה ליד הים, וגם [כתובת-5] שם.";
    let mut r = Redactor::new(&[], Lang::Hebrew);
    assert_eq!(r.redact("D1", text).text, want);
    assert_eq!(r.mapping()[0].forms, ["רחוב הרצל 12"]);
    assert_eq!(r.mapping()[0].total(), 2);
    assert_eq!(r.mapping()[4].key, "הרצל 12/3");
}

#[test]
fn street_words_without_an_address_stay() {
    let text = "בדרך כלל 3 פעמים בשבוע. שילמתי דרך הבנק 200 שקל, והלכתי דרך העירייה 3 פעמים. \
                ההורים שלו גרו ברחוב הרצל, לא רחוק. הרחוב היה 5 דקות מפה.";
    assert_eq!(redact_one(&[], text), text);
}

#[test]
fn placeholders_are_stable_across_documents() {
    let names = [person("רונית"), person("משה לוי")];
    let mut r = Redactor::new(&names, Lang::Hebrew);
    let a = r.redact("P01", "רונית אמרה שמשה לוי יודע. התקשרתי ל-050-1234567.");
    let b = r.redact(
        "P02",
        "משה לוי ורונית, ורונית שוב. הכתובת ברחוב הרצל 12, הטלפון 0501234567.",
    );
    assert_eq!(a.text, "[שם-1] אמרה ש[שם-2] יודע. התקשרתי ל-[טלפון].");
    assert_eq!(
        b.text,
        "[שם-2] ו[שם-1], ו[שם-1] שוב. הכתובת ב[כתובת-1], הטלפון [טלפון]."
    );
    let mut csv = Vec::new();
    r.write_mapping_csv(&mut csv).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "placeholder,kind,original,key,doc_id,count,forms\n\
         [שם-1],name,רונית,,P01,1,רונית\n\
         [שם-1],name,רונית,,P02,2,רונית\n\
         [שם-2],name,משה לוי,,P01,1,משה לוי\n\
         [שם-2],name,משה לוי,,P02,1,משה לוי\n\
         [טלפון],phone,050-1234567,0501234567,P01,1,050-1234567 | 0501234567\n\
         [טלפון],phone,050-1234567,0501234567,P02,1,050-1234567 | 0501234567\n\
         [כתובת-1],address,רחוב הרצל 12,הרצל 12,P02,1,רחוב הרצל 12\n"
    );
    let json: serde_json::Value = serde_json::from_str(&r.mapping_json()).unwrap();
    assert_eq!(json[0]["placeholder"], "[שם-1]");
    assert_eq!(json[0]["documents"][1]["doc_id"], "P02");
    assert_eq!(json[0]["documents"][1]["count"], 2);
    assert_eq!(json[3]["kind"], "address");
}

#[test]
fn detect_in_parallel_then_apply_in_order_gives_the_same_result() {
    let names = [person("רונית"), person("דנה")];
    let docs = [("P01", "דנה ורונית."), ("P02", "רונית, דנה.")];
    let mut seq = Redactor::new(&names, Lang::Hebrew);
    let want: Vec<String> = docs.iter().map(|(id, t)| seq.redact(id, t).text).collect();
    let mut two = Redactor::new(&names, Lang::Hebrew);
    let found: Vec<_> = docs.iter().map(|(_, t)| two.detect(t)).collect();
    let got: Vec<String> = docs
        .iter()
        .zip(&found)
        .map(|((id, t), d)| two.apply(id, t, d).text)
        .collect();
    assert_eq!(got, want);
    assert_eq!(want, ["[שם-1] ו[שם-2].", "[שם-2], [שם-1]."]);
    assert_eq!(two.mapping(), seq.mapping());
}

#[test]
fn offset_map_carries_units_and_evidence() {
    let names = [person("רונית")];
    let doc = "מראיינת: מה קרה?\nעו\"ס: פניתי לרונית ברחוב הרצל 12. היא טיפלה בזה מהר.";
    let mut r = Redactor::new(&names, Lang::Hebrew);
    let red = r.redact("D1", doc);
    assert_eq!(
        red.text,
        "מראיינת: מה קרה?\nעו\"ס: פניתי ל[שם-1] ב[כתובת-1]. היא טיפלה בזה מהר."
    );
    // Unit 1: "פניתי לרונית ברחוב הרצל 12." -> its redacted text.
    let u1 = (
        char_pos(doc, "פניתי"),
        char_pos(doc, "12.") + 3, // through the period
    );
    let (t1, s1, e1) = red.span_text(u1.0, u1.1);
    assert_eq!(t1, "פניתי ל[שם-1] ב[כתובת-1].");
    assert_eq!(
        (s1, e1),
        (char_pos(&red.text, "פניתי"), char_pos(&red.text, "]. ") + 2)
    );
    // Unit 2 after both items: "היא טיפלה בזה מהר." moved by the change in length.
    let u2 = (char_pos(doc, "היא"), doc.chars().count());
    let (t2, _, _) = red.span_text(u2.0, u2.1);
    assert_eq!(t2, "היא טיפלה בזה מהר.");
    // Evidence "טיפלה" at 4..9 in unit 2 stays "טיפלה" in the redacted unit.
    let (es, ee) = red.map.map_relative(u2.0, 4, 9);
    assert_eq!(char_slice(t2, es, ee), "טיפלה");
    // Evidence "פניתי" at 0..5 in unit 1, and a span covering "לרוני" (part of the
    // name, with its prefix) at 6..11, which grows to the whole placeholder.
    assert_eq!(
        {
            let (s, e) = red.map.map_relative(u1.0, 0, 5);
            char_slice(t1, s, e)
        },
        "פניתי"
    );
    let (s, e) = red.map.map_relative(u1.0, 6, 11);
    assert_eq!(char_slice(t1, s, e), "ל[שם-1]");
    // Items give both spans.
    assert_eq!(red.items.len(), 2);
    let it = red.items[1];
    assert_eq!(it.kind, ItemKind::Address);
    assert_eq!(
        char_slice(doc, it.span.orig_start, it.span.orig_end),
        "רחוב הרצל 12"
    );
    assert_eq!(
        char_slice(&red.text, it.span.new_start, it.span.new_end),
        "[כתובת-1]"
    );
    // Back from the redacted text.
    assert_eq!(red.map.unmap(char_pos(&red.text, "היא")), u2.0);
}

#[test]
fn redacting_redacted_text_changes_nothing() {
    let names = [person("רונית כהן|רונית"), person("שם טוב")];
    let text = "רונית כהן, ת\"ז 123456782, טלפון 050-123-4567, מייל ronit@example.org, \
                גרה ברח' הרצל 12. שם טוב היה שם.";
    let mut r = Redactor::new(&names, Lang::Hebrew);
    let once = r.redact("D1", text);
    assert_eq!(
        once.text,
        "[שם-1], ת\"ז [ת\"ז], טלפון [טלפון], מייל [דוא\"ל], גרה ב[כתובת-1]. [שם-2] היה שם."
    );
    let twice = r.redact("D1", &once.text);
    assert_eq!(twice.text, once.text);
    assert!(twice.map.is_identity());
    // A fresh redactor, and English placeholders in a Hebrew-redacted text, too.
    let mut fresh = Redactor::new(&names, Lang::English);
    assert_eq!(fresh.redact("D1", &once.text).text, once.text);
}

#[test]
fn english_placeholders() {
    let names = [person("רונית")];
    let text = "רונית, ת\"ז 123456782, 050-1234567, ronit@example.org, ברחוב הרצל 12.";
    let mut r = Redactor::new(&names, Lang::English);
    assert_eq!(
        r.redact("D1", text).text,
        "[NAME-1], ת\"ז [ID], [PHONE], [EMAIL], ב[ADDRESS-1]."
    );
    assert_eq!(r.lang(), Lang::English);
}

#[test]
fn field_redaction_does_not_count() {
    let names = [person("רונית")];
    let mut r = Redactor::new(&names, Lang::Hebrew);
    r.redact("D1", "רונית: כן, אני רונית.");
    assert_eq!(r.redact_field("רונית"), "[שם-1]");
    assert_eq!(r.redact_field("מראיינת"), "מראיינת");
    assert_eq!(r.mapping()[0].total(), 2);
}

#[test]
fn names_from_manifest_column_and_names_file() {
    let dir = common::TempDir::new("redact-names");
    dir.write("a.txt", "x");
    dir.write("b.txt", "x");
    let manifest = dir.write(
        "manifest.csv",
        "id,file,sector,names\nA,a.txt,public,רונית כהן|רונית;משה\nB,b.txt,public,\n",
    );
    let m = tamlil::corpus::Manifest::read(&manifest, dir.path()).unwrap();
    let got = names_from_manifest(&m, "names").unwrap();
    assert_eq!(got, [person("רונית כהן|רונית"), person("משה")]);
    let err = names_from_manifest(&m, "people").unwrap_err().to_string();
    assert!(err.contains("'people'"), "{err}");

    // A names file in Windows-1255: "דנה,person" and "חולון,place" (bytes from the
    // Windows-1255 table: ד=0xE3 נ=0xF0 ה=0xE4, ח=0xE7 ו=0xE5 ל=0xEC ן=0xEF).
    let f = dir.write(
        "names.txt",
        b"\xE3\xF0\xE4,person\r\n\xE7\xE5\xEC\xE5\xEF,place\r\n".as_slice(),
    );
    let got = read_names_file(&f).unwrap();
    assert_eq!(
        got,
        [person("דנה"), NameEntry::new("חולון", NameKind::Place)]
    );
}

#[test]
fn redaction_is_deterministic() {
    let names = [person("רונית"), person("משה לוי"), person("דנה")];
    let text = "דנה ומשה לוי ורונית, 050-1234567, ברחוב הרצל 12, ronit@example.org.";
    let run = || {
        let mut r = Redactor::new(&names, Lang::Hebrew);
        let t = r.redact("D1", text).text;
        (t, r.mapping_json())
    };
    let first = run();
    assert_eq!(
        first.0,
        "[שם-1] ו[שם-2] ו[שם-3], [טלפון], ב[כתובת-1], [דוא\"ל]."
    );
    for _ in 0..3 {
        assert_eq!(run(), first);
    }
}
