//! Whole-CLI runs of `tamlil code` and `tamlil codebook`.

mod common;
use common::code_with;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tamlil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tamlil"))
        .args(args)
        .output()
        .expect("run tamlil")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tamlil-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const CODEBOOK: &str = r#"
[codebook]
name = "small"
roles = ["interviewee"]
threshold = 2

[[code]]
id = "keys.knowledge"
label_he = "ידע"
label_en = "Knowledge"
[[code.rule]]
weight = 2
any = ["ידע", "קשר*"]

[[code]]
id = "keys.power"
label_en = "Power"
require = { sector = "third" }
[[code.rule]]
weight = 2
any = ["ערעור"]
"#;

const UNITS: &str = "id,text,role,sector\n\
u1,\"אמרתי לה שהידע שלנו, וגם הקשרים\",interviewee,public\n\
u2,יש לנו ידע,interviewer,public\n\
u3,אין לנו שום ידע,interviewee,public\n\
u4,הגשנו ערעור,interviewee,third\n\
u5,הגשנו ערעור,interviewee,public\n\
u6,,interviewee,public\n";

#[test]
fn code_writes_rows_with_character_offsets() {
    let dir = temp_dir("code");
    let (units, cb, out) = (
        dir.join("units.csv"),
        dir.join("cb.toml"),
        dir.join("codings.csv"),
    );
    std::fs::write(&units, UNITS).unwrap();
    std::fs::write(&cb, CODEBOOK).unwrap();
    let o = code_with(&units, &cb, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "unit_id,code_id,family,score,evidence,source\n\
         u1,keys.knowledge,keys,4,9-14:שהידע; 25-31:הקשרים,auto\n\
         u4,keys.power,keys,2,6-11:ערעור,auto\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn code_is_identical_across_thread_counts() {
    let dir = temp_dir("jobs");
    let units = dir.join("units.csv");
    let mut text = String::from("unit_id,text\n");
    for i in 0..500 {
        text.push_str(&format!(
            "n{i},\"הקמנו קבוצת ווטסאפ של אמהות, והן מלמדות אחת את השנייה. ליוויתי אותה לוועדה עם מכתב מטעמנו {i}\"\n"
        ));
    }
    std::fs::write(&units, text).unwrap();
    let (a, b) = (dir.join("a.csv"), dir.join("b.csv"));
    assert!(
        tamlil(&["code", "--units", s(&units), "--out", s(&a), "--jobs", "1"])
            .status
            .success()
    );
    assert!(
        tamlil(&["code", "--units", s(&units), "--out", s(&b), "--jobs", "2"])
            .status
            .success()
    );
    let (a, b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(a, b);
    let text = String::from_utf8(a).unwrap();
    // The default codebook: client networks and backing, rolled up into their keys.
    assert!(text.contains("\nn0,keys.networking,keys,"), "{text}");
    assert!(
        text.contains("\nn0,keys.networking.client_networks,keys,"),
        "{text}"
    );
    assert!(text.contains("\nn0,keys.power.backing,keys,"), "{text}");
    assert!(text.contains("\nn499,keys.networking,keys,"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn code_errors_name_file_and_line_and_write_nothing() {
    let dir = temp_dir("errors");
    let out = dir.join("codings.csv");

    let no_text = dir.join("no_text.csv");
    std::fs::write(&no_text, "id,body\n1,שלום\n").unwrap();
    let o = tamlil(&["code", "--units", s(&no_text), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(65));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{}:1: missing column `text`", no_text.display())),
        "{err}"
    );

    let bad_role = dir.join("bad_role.csv");
    std::fs::write(&bad_role, "id,text,role\n1,שלום,interviewee\n2,שלום,boss\n").unwrap();
    let o = tamlil(&["code", "--units", s(&bad_role), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(65));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{}:3: unknown role \"boss\"", bad_role.display())),
        "{err}"
    );

    let ragged = dir.join("ragged.csv");
    std::fs::write(&ragged, "id,text\n1,שלום\n2,שלום,עוד\n").unwrap();
    let o = tamlil(&["code", "--units", s(&ragged), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(65));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&format!("{}:3: bad CSV", ragged.display()))
    );

    let o = tamlil(&[
        "code",
        "--units",
        s(&dir.join("missing.csv")),
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(66));
    assert!(String::from_utf8_lossy(&o.stderr).contains("file not found"));

    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        3,
        "only the inputs remain"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn codebook_check_reports_every_problem() {
    let dir = temp_dir("check");
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "[[code]]\nid = \"a.b\"\nterms = [\"ידע\"]\n\n[[code]]\nid = \"a.b\"\nparent = \"a.zz\"\ncolor = \"red\"\nterms = [\"ב*\"]\n",
    )
    .unwrap();
    let o = tamlil(&["codebook", "check", s(&bad)]);
    assert_eq!(o.status.code(), Some(65));
    let err = String::from_utf8_lossy(&o.stderr);
    let b = bad.display();
    for want in [
        format!("{b}:5: duplicate code id \"a.b\" (first at line 1)"),
        format!("{b}:5: code a.b: unknown parent \"a.zz\""),
        format!("{b}:8: code a.b: bad colour \"red\""),
        format!("{b}:9: code a.b: invalid pattern \"ב*\""),
    ] {
        assert!(err.contains(&want), "missing {want} in {err}");
    }
    assert!(err.contains("4 problems found"), "{err}");

    let good = dir.join("good.csv");
    std::fs::write(&good, "code_id,parent,label_he,label_en,definition,terms,exclude\nkeys.networking,,קשרים,Networking,,קשר*|איש קשר,\n").unwrap();
    let o = tamlil(&["codebook", "check", s(&good)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok: 1 codes in 1 families, 2 terms"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn inflecting_stems_in_a_csv_codebook() {
    let dir = temp_dir("inflect");
    let (cb, units, out) = (
        dir.join("cb.csv"),
        dir.join("units.csv"),
        dir.join("codings.csv"),
    );
    std::fs::write(
        &cb,
        "code_id,terms,exclude\n\
         support.accompany,ליוו~; לוו~,\n\
         power.appeal,הגש~ ערעור|גיש~ ערעור,נגיש~\n",
    )
    .unwrap();
    let o = tamlil(&["codebook", "check", s(&cb)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("2 codes in 2 families, 4 terms"));
    std::fs::write(
        &units,
        "id,text\n\
         u1,ליוויתי אותו לוועדה\n\
         u2,אני מלווה אותם\n\
         u3,ראינו לוויין\n\
         u4,הם הגישו ערעור\n\
         u5,והגשתי ערעור נגיש\n",
    )
    .unwrap();
    let o = code_with(&units, &cb, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Offsets counted by hand; לוויין (satellite) is no form of לוו~; נגיש vetoes u5.
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "unit_id,code_id,family,score,evidence,source\n\
         u1,support.accompany,support,1,0-7:ליוויתי,auto\n\
         u2,support.accompany,support,1,4-9:מלווה,auto\n\
         u4,power.appeal,power,1,3-14:הגישו ערעור,auto\n"
    );

    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "code_id,terms\na.b,ליוו~\na.c,ל~וו|ליוו*~\n").unwrap();
    let o = tamlil(&["codebook", "check", s(&bad)]);
    assert_eq!(o.status.code(), Some(65));
    let err = String::from_utf8_lossy(&o.stderr);
    let b = bad.display();
    for want in [
        format!("{b}:3: code a.c: invalid pattern \"ל~וו\": `~` may only end a word"),
        format!("{b}:3: code a.c: invalid pattern \"ליוו*~\": a word ends in `*`"),
    ] {
        assert!(err.contains(&want), "missing {want} in {err}");
    }
    assert!(err.contains("2 problems found"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn codebook_show_prints_the_default_tree() {
    let o = tamlil(&["codebook", "show", "--lang", "en"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("rights-realization (35 codes"), "{out}");
    assert!(out.contains("\nkeys  Four keys\n"), "{out}");
    assert!(
        out.contains("\n    keys.power.legal  Legal action  ["),
        "{out}"
    );
    let o = tamlil(&["codebook", "show"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("מפתח הכוח"));
}

#[test]
fn code_reads_documents_and_turns_for_context() {
    // The answer's own weak cue (סבלנות, score 1) and the question's evidence (כועסים)
    // code it (the score column is the answer's own);
    // the same answer in a document whose question is about something else is not.
    let dir = temp_dir("context");
    let cb = dir.join("cb.toml");
    std::fs::write(
        &cb,
        "[codebook]\nthreshold = 2\nroles = [\"interviewee\"]\n[context]\nquestion = 1\n\
         [[code]]\nid = \"keys.emotion\"\nterms = [\"כועס*\", \"סבלנות\"]\n",
    )
    .unwrap();
    let units = dir.join("units.csv");
    std::fs::write(
        &units,
        "unit_id,doc_id,turn,role,text,sector\n\
         A-1,A,1,interviewer,איך את עובדת עם לקוחות כועסים?,public\n\
         A-2,A,2,interviewee,בעיקר עם הרבה סבלנות.,public\n\
         B-1,B,1,interviewer,איך נראה יום עבודה?,public\n\
         B-2,B,2,interviewee,בעיקר עם הרבה סבלנות.,public\n",
    )
    .unwrap();
    let out = dir.join("codings.csv");
    let o = code_with(&units, &cb, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "unit_id,code_id,family,score,evidence,source\nA-2,keys.emotion,keys,1,14-20:סבלנות,auto\n"
    );
    // A bad turn number names the file and line.
    std::fs::write(
        &units,
        "unit_id,doc_id,turn,role,text\nA-1,A,x,interviewee,טקסט\n",
    )
    .unwrap();
    let o = code_with(&units, &cb, &out);
    assert_eq!(o.status.code(), Some(65));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("units.csv:2") && err.contains("turn"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The (unit, code) rows the default codebook gives the units of `units_csv`
/// (`id,text`), coded one by one with `tamlil code`.
fn default_codings(name: &str, units_csv: &str) -> Vec<(String, String)> {
    let dir = temp_dir(name);
    let units = dir.join("units.csv");
    std::fs::write(&units, units_csv).unwrap();
    let out = dir.join("codings.csv");
    let o = tamlil(&["code", "--units", s(&units), "--out", s(&out)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].to_string())
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    rows
}

#[test]
fn default_codebook_reads_everyday_inflected_speech() {
    // Sentences written for this test; the codes are those a reader gives from the
    // codebook's definitions (accompanying is backing, a clerk one knows is a contact
    // inside the authority, not knowing what is due is a knowledge barrier), and a
    // view reported of others codes nothing.
    let mut got = default_codings(
        "default-inflected",
        "id,text\n\
         a,ליוויתי אותה לוועדה הרפואית.\n\
         b,אני מלווה אותו לוועדה.\n\
         c,נלווה אותו לוועדה בשבוע הבא.\n\
         d,הרמתי טלפון לפקידה שאני מכירה בסניף.\n\
         e,הוא לא ידע שמגיע לו.\n\
         f,\"יש כאלה שאומרים שזה רק ניירת של פקידים, אבל אני לא חושבת ככה.\"\n",
    );
    got.sort();
    let want: Vec<(String, String)> = [
        ("a", "keys.power"),
        ("a", "keys.power.backing"),
        ("b", "keys.power"),
        ("b", "keys.power.backing"),
        ("c", "keys.power"),
        ("c", "keys.power.backing"),
        ("d", "keys.networking"),
        ("d", "keys.networking.authority_contacts"),
        ("d", "target.authority"),
        ("e", "barriers.knowledge"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn default_codebook_tells_the_words_of_the_rules_from_knowing_them() {
    // Sentences written for this test. A case told in the rules' words (an exemption,
    // retroactive pay, a section) is about what the client got, not the agent's
    // knowledge; knowing every section and explaining it is.
    let got = default_codings(
        "default-rules-words",
        "id,text\n\
         a,הוא קיבל פטור ממס עם רטרו של שנתיים לפי הסעיף.\n\
         b,אני מכירה כל סעיף בחוק ואני מסבירה לו מה מגיע לו.\n",
    );
    let codes_of = |unit: &str| -> Vec<&str> {
        got.iter()
            .filter(|(u, _)| u == unit)
            .map(|(_, c)| c.as_str())
            .collect()
    };
    assert_eq!(codes_of("a"), ["goals.client_rights"]);
    assert_eq!(
        codes_of("b"),
        [
            "role.dedicated_expert",
            "keys.knowledge",
            "keys.knowledge.tacit",
            "keys.knowledge.coaching",
            "target.client"
        ]
    );
}

#[test]
fn default_codebook_leaves_a_disclaimed_practice_to_others() {
    // Sentences written for this test. Saying that appeals and tribunals are "not me any
    // more" names someone else's practice, and "that I don't do" after a practice refuses
    // it: no strategy and no target of the speaker's; the same steps told as the
    // speaker's own are the power key's legal or media action.
    let got = default_codings(
        "default-disclaimer",
        "id,text\n\
         a,\"ערעורים ובית הדין לעבודה, זה כבר לא אני, את זה לוקחת עורכת הדין.\"\n\
         b,אנחנו מגישים ערעורים ומגיעים לבית הדין לעבודה.\n\
         c,\"אבל לפנות לעיתונאים או לחברי כנסת, את זה אני לא עושה.\"\n\
         d,אני פונה לעיתונאים ולחברי כנסת כשתיק תקוע.\n",
    );
    let keys_of = |unit: &str| -> Vec<&str> {
        got.iter()
            .filter(|(u, c)| u == unit && (c.starts_with("keys.") || c.starts_with("target.")))
            .map(|(_, c)| c.as_str())
            .collect()
    };
    assert!(keys_of("a").is_empty(), "{:?}", keys_of("a"));
    assert_eq!(
        keys_of("b"),
        ["keys.power", "keys.power.legal", "target.authority"]
    );
    // A refusal said after the practice ("that I don't do") leaves it out too.
    assert!(keys_of("c").is_empty(), "{:?}", keys_of("c"));
    assert_eq!(
        keys_of("d"),
        [
            "keys.power",
            "keys.power.media_politics",
            "target.authority"
        ]
    );
}

#[test]
fn default_codebook_hears_patience_and_validation_as_emotional_work() {
    // Sentences written for this test. Not pushing a client and waiting until she is
    // ready, or not telling an angry client to calm down, is emotional work (the
    // negation is part of what is said); pressing an office is the power key.
    let got = default_codings(
        "default-patience",
        "id,text\n\
         a,\"לפעמים זה לוקח כמה פגישות, ואני לא לוחצת עליה, מחכה עד שהיא מוכנה.\"\n\
         b,\"כשהוא כועס על הפקידה, אני לא אגיד לו להירגע.\"\n\
         c,אני לוחצת עליהם עד שהם מאשרים.\n",
    );
    let keys_of = |unit: &str| -> Vec<&str> {
        got.iter()
            .filter(|(u, c)| u == unit && c.starts_with("keys."))
            .map(|(_, c)| c.as_str())
            .collect()
    };
    assert_eq!(keys_of("a"), ["keys.emotion", "keys.emotion.client"]);
    assert_eq!(keys_of("b"), ["keys.emotion", "keys.emotion.client"]);
    assert_eq!(keys_of("c"), ["keys.power"]);
}

#[test]
fn default_codebook_hears_where_knowledge_comes_from_referrals_and_taught_procedures() {
    // Sentences written for this test. A course and the circulars are where the
    // agent's knowledge comes from; "I refer" is networking on its own; explaining how
    // one files an appeal is knowledge handed to the client, while filing it is the
    // power key aimed at the authority.
    let got = default_codings(
        "default-sources",
        "id,text\n\
         a,\"עשיתי קורס של שמונה מפגשים, ומאז אני קוראת כל חוזר חדש.\"\n\
         b,\"כשזה עניין של מס, אני מפנה.\"\n\
         c,אנחנו מסבירים לו איך מגישים ערר ומה לצרף.\n\
         d,\"אני מגישה ערר בשבילו, עם מכתב על נייר של העמותה.\"\n\
         e,\"הזימון לא הגיע, כי אין להם כתובת.\"\n\
         f,\"הטפסים רק בעברית, ובסניף אין מתורגמן.\"\n\
         g,\"אנחנו מסבירים, עוזרים להגיש.\"\n\
         h,\"ויש לנו מתנדבים, רואה חשבון בפנסיה ועורכת דין שבאה פעם בשבוע.\"\n",
    );
    let of = |unit: &str, family: &str| -> Vec<&str> {
        got.iter()
            .filter(|(u, c)| u == unit && c.starts_with(family) && c.matches('.').count() == 1)
            .map(|(_, c)| c.as_str())
            .collect()
    };
    assert_eq!(of("a", "keys."), ["keys.knowledge"]);
    assert_eq!(of("b", "keys."), ["keys.networking"]);
    assert_eq!(of("c", "keys."), ["keys.knowledge"]);
    assert_eq!(of("c", "target."), ["target.client"]);
    assert_eq!(of("d", "keys."), ["keys.power"]);
    assert_eq!(of("d", "target."), ["target.authority"]);
    // Letters that never arrive and forms in a language the client does not read are
    // the bureaucratic maze.
    assert_eq!(of("e", "barriers."), ["barriers.bureaucracy"]);
    assert_eq!(of("f", "barriers."), ["barriers.bureaucracy"]);
    // Explaining, said on its own, is giving the client information.
    assert_eq!(of("g", "keys."), ["keys.knowledge"]);
    // Volunteer professionals beside the agent are the organisation's ties.
    assert_eq!(of("h", "keys."), ["keys.networking"]);
}

#[test]
fn default_codebook_reads_a_feared_step_as_the_barrier_and_a_biography_without_keys() {
    // Sentences written for this test. Asked how she copes with clients' fear, "they
    // are afraid to open letters" states the barrier: its one weak cue of emotional
    // work, lifted by the question, gives way to it; sitting with an angry client
    // until he calms down is emotional work. The answer to how a speaker came to the
    // work tells her past, not her practice, whoever the question names.
    let got = default_codings(
        "default-yields",
        "unit_id,doc_id,turn,role,text\n\
         e1,E,1,interviewer,ואיך את מתמודדת עם הפחד שלהם?\n\
         e2,E,2,interviewee,הם מפחדים לפתוח מכתבים מביטוח לאומי.\n\
         e3,E,3,interviewer,ואיך את מתמודדת עם הכעס?\n\
         e4,E,4,interviewee,אני יושבת איתו ונותנת לו לדבר עד שהוא נרגע.\n\
         f1,F,1,interviewer,\"כל אחת תספר קצת, איך הגיעה לעבודה הזאת?\"\n\
         f2,F,2,interviewee,מהניסיון שלי בבית החולים ידעתי בדיוק מה לשאול.\n\
         g1,G,1,interviewer,מה עשית אחרי זה?\n\
         g2,G,2,interviewee,מהניסיון שלי בבית החולים ידעתי בדיוק מה לשאול.\n\
         h1,H,1,interviewer,מה את מנסה להשיג עם האנשים?\n\
         h2,H,2,interviewee,אני רוצה שבפעם הבאה הם יגישו לבד.\n\
         h3,H,2,interviewee,זה בשבילי ההצלחה.\n",
    );
    let of = |unit: &str| -> Vec<&str> {
        got.iter()
            .filter(|(u, c)| u == unit && c.matches('.').count() == 1)
            .map(|(_, c)| c.as_str())
            .collect()
    };
    assert_eq!(of("e2"), ["barriers.perception"]);
    assert_eq!(of("e4"), ["keys.emotion", "target.client"]);
    assert!(of("f2").is_empty(), "{:?}", of("f2"));
    assert_eq!(of("g2"), ["keys.knowledge"]);
    // A sentence pointing back to a stated aim ("that, for me, is success") goes on
    // with it.
    assert_eq!(of("h3"), ["goals.civic_awareness"]);
}
