//! The layer rules of DESIGN.md, checked on the source text: a rule that is only
//! written down erodes; a rule in `cargo test` holds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use minyi::i18n::{EN_SOURCE, ZH_SOURCE, message_ids};

const MAX_LINES: usize = 600;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, as (path relative to the package, text), sorted.
fn rust_files(dir: &str) -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&root().join(dir), &mut paths);
    paths.sort();
    let files: Vec<(String, String)> = paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let relative = path.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
            (relative, text)
        })
        .collect();
    assert!(!files.is_empty(), "no Rust files under {dir}");
    files
}

/// The lines of `text` that are code, numbered from 1: comment lines are left out,
/// so prose may name what the code must not use.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, line)| (i + 1, line)).filter(|(_, line)| !line.trim_start().starts_with("//"))
}

fn contains_word(line: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

fn fail_with(what: &str, offenders: &[String]) {
    assert!(offenders.is_empty(), "{what}:\n  {}", offenders.join("\n  "));
}

#[test]
fn the_domain_does_no_io_and_reads_no_clock() {
    let crates = ["sqlx", "axum", "tokio", "serde_json", "reqwest"];
    let paths =
        ["std::fs", "std::net", "Utc::now", "SystemTime::now", "Local::now", "Instant::now", ".await", "async fn"];
    let mut offenders = Vec::new();
    for (file, text) in rust_files("src/domain") {
        for (number, line) in code_lines(&text) {
            let words = crates.iter().filter(|w| contains_word(line, w));
            for found in words.chain(paths.iter().filter(|p| line.contains(*p))) {
                offenders.push(format!("{file}:{number}: `{found}` in: {}", line.trim()));
            }
        }
    }
    fail_with("src/domain is pure: no IO, no async, no clock (\"now\" is passed in)", &offenders);
}

/// The string literals of Rust source, roughly: (line where it starts, contents).
/// Comments, char literals and lifetimes are skipped; raw strings are understood.
fn string_literals(source: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = source.chars().collect();
    let (mut out, mut i, mut line) = (Vec::new(), 0, 1);
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                line += usize::from(chars[i] == '\n');
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            // A char literal ('x', '\n', '"') or a lifetime ('a); lifetimes are left as they are.
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c == 'r' && matches!(next, Some('"' | '#')) && !(i > 0 && is_ident(chars[i - 1])) {
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                i += 1;
                continue;
            }
            let hashes = j - i - 1;
            let (start_line, mut text) = (line, String::new());
            j += 1;
            while j < chars.len() {
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    break;
                }
                line += usize::from(chars[j] == '\n');
                text.push(chars[j]);
                j += 1;
            }
            out.push((start_line, text));
            i = j + 1 + hashes;
        } else if c == '"' {
            let (start_line, mut text) = (line, String::new());
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    text.push(chars[i]);
                    i += 1;
                }
                if let Some(&ch) = chars.get(i) {
                    line += usize::from(ch == '\n');
                    text.push(ch);
                }
                i += 1;
            }
            out.push((start_line, text));
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn the_string_scanner_finds_literals_and_skips_the_rest() {
    let source = "let a = \"SELECT 1\"; // \"UPDATE x\"\nlet q = '\"'; let r = r#\"a \"quoted\" b\"#;\n/* \"DELETE FROM\" */ f::<'a>(\"x\\\"y\");";
    let found: Vec<(usize, String)> = string_literals(source);
    let expected = [(1, "SELECT 1"), (2, "a \"quoted\" b"), (3, "x\\\"y")];
    assert_eq!(found, expected.map(|(line, text)| (line, text.to_string())));
}

#[test]
fn sql_appears_only_under_src_db() {
    let keywords = ["SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"];
    let mut offenders = Vec::new();
    for (file, text) in rust_files("src") {
        if file.starts_with("src/db/") {
            continue;
        }
        for (line, literal) in string_literals(&text) {
            if let Some(keyword) = keywords.iter().find(|k| literal.contains(*k)) {
                let first = literal.lines().next().unwrap_or_default().trim();
                offenders.push(format!("{file}:{line}: `{}` in \"{first}\"", keyword.trim()));
            }
        }
    }
    fail_with("SQL belongs in src/db/ only", &offenders);
}

#[test]
fn status_codes_appear_only_in_web_error() {
    let mut offenders = Vec::new();
    for (file, text) in rust_files("src") {
        if file == "src/web/error.rs" {
            continue;
        }
        for (number, line) in code_lines(&text) {
            if line.contains("StatusCode") {
                offenders.push(format!("{file}:{number}: {}", line.trim()));
            }
        }
    }
    fail_with("status codes belong in src/web/error.rs only", &offenders);
}

#[test]
fn no_test_is_skipped_or_expected_to_panic_and_nothing_is_left_undone() {
    // Spelled in pieces so that this file does not match itself.
    let markers =
        [concat!("#[", "ignore"), concat!("#[", "should_panic"), concat!("todo", "!("), concat!("unimplemented", "!(")];
    let mut offenders = Vec::new();
    for (file, text) in rust_files("src").into_iter().chain(rust_files("tests")) {
        for (number, line) in text.lines().enumerate() {
            for marker in markers.iter().filter(|m| line.contains(*m)) {
                offenders.push(format!("{file}:{}: `{marker}`", number + 1));
            }
        }
    }
    fail_with("assert the error instead; finish the work", &offenders);
}

#[test]
fn no_source_file_is_too_long() {
    let offenders: Vec<String> = rust_files("src")
        .into_iter()
        .map(|(file, text)| (file, text.lines().count()))
        .filter(|(_, lines)| *lines > MAX_LINES)
        .map(|(file, lines)| format!("{file}: {lines} lines"))
        .collect();
    fail_with(&format!("files over {MAX_LINES} lines ask to be split"), &offenders);
}

/// Every `Msg::new("key")` in src/, with the argument names given to it by the
/// `.with("name", …)` calls that follow it in the same statement.
fn message_keys() -> BTreeMap<String, (BTreeSet<String>, Vec<String>)> {
    let mut keys: BTreeMap<String, (BTreeSet<String>, Vec<String>)> = BTreeMap::new();
    for (file, text) in rust_files("src") {
        for (at, _) in text.match_indices("Msg::new(") {
            let rest = text[at + "Msg::new(".len()..].trim_start();
            let Some(quoted) = rest.strip_prefix('"') else { continue };
            let Some(end) = quoted.find('"') else { continue };
            let key = &quoted[..end];
            let statement = &quoted[end..quoted.find(';').unwrap_or(quoted.len())];
            let statement = statement.split("Msg::new(").next().unwrap_or_default();
            let entry = keys.entry(key.to_string()).or_default();
            for (with_at, _) in statement.match_indices(".with(\"") {
                let name = &statement[with_at + ".with(\"".len()..];
                entry.0.insert(name[..name.find('"').unwrap_or(0)].to_string());
            }
            let line = text[..at].lines().count();
            entry.1.push(format!("{file}:{line}"));
        }
    }
    keys
}

/// The variables (`{ $name }`) of each message of a Fluent catalogue.
fn catalogue(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let ids = message_ids(source);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in source.lines() {
        if let Some(id) = ids.iter().find(|id| line.starts_with(&format!("{id} ="))) {
            current = Some(id.clone());
            out.entry(id.clone()).or_default();
        } else if !line.starts_with(' ') {
            current = None;
        }
        if let Some(id) = &current {
            let vars = line
                .split('$')
                .skip(1)
                .map(|v| v.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-').collect::<String>());
            out.get_mut(id).unwrap().extend(vars);
        }
    }
    out
}

#[test]
fn every_message_key_is_in_both_catalogues_with_its_arguments() {
    let keys = message_keys();
    assert!(keys.contains_key("err-mobile"), "the scanner finds Msg::new keys");
    let stale_args: Vec<&str> = keys["err-import-stale"].0.iter().map(String::as_str).collect();
    assert_eq!(stale_args, ["column", "row"], "the scanner finds the arguments of a key");
    let zh = catalogue(ZH_SOURCE);
    let en = catalogue(EN_SOURCE);
    let mut offenders = Vec::new();
    for (key, (args, places)) in &keys {
        for (lang, messages) in [("zh-CN", &zh), ("en", &en)] {
            match messages.get(key) {
                None => {
                    offenders.push(format!("{key} is missing from locales/{lang}/main.ftl (used at {})", places[0]))
                }
                Some(vars) => {
                    for arg in args.difference(vars) {
                        offenders.push(format!("{key} in locales/{lang}/main.ftl does not show {{ ${arg} }}"));
                    }
                }
            }
        }
    }
    for key in zh.keys().filter(|k| !en.contains_key(*k)) {
        offenders.push(format!("{key} is in zh-CN but not in en"));
    }
    for key in en.keys().filter(|k| !zh.contains_key(*k)) {
        offenders.push(format!("{key} is in en but not in zh-CN"));
    }
    for (key, vars) in &zh {
        if let Some(en_vars) = en.get(key).filter(|en_vars| *en_vars != vars) {
            offenders.push(format!("{key}: zh-CN uses {vars:?} but en uses {en_vars:?}"));
        }
    }
    for (lang, source) in [("zh-CN", ZH_SOURCE), ("en", EN_SOURCE)] {
        let ids = message_ids(source);
        let unique: BTreeSet<&String> = ids.iter().collect();
        if unique.len() != ids.len() {
            offenders.push(format!("locales/{lang}/main.ftl defines a message twice"));
        }
    }
    fail_with("the translation catalogues", &offenders);

    // Both catalogues parse, and a message reads with its arguments filled in.
    let i18n = minyi::i18n::I18n::new();
    let msg = minyi::domain::Msg::new("err-too-long").with("max", 40);
    for lang in [minyi::i18n::Lang::Zh, minyi::i18n::Lang::En] {
        let text = i18n.msg(lang, &msg);
        assert!(text.contains("40") && !text.contains('$'), "{lang:?}: {text}");
    }
}
