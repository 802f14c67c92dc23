//! The house rules of the code, checked on the source: SQL only in the store, the web
//! layer calling use cases and never the store, roles compared only in the permission
//! policy, the adapters apart (the CLI never builds the web layer's state, the use cases
//! know nothing of HTTP), no import circles in the web crate, every user-facing text in
//! the catalogue, and the crates' dependencies pointing down.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join(dir), &mut out);
    out
}

/// The lines of `text` outside `#[cfg(test)]` modules and comments, numbered from 1.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .collect()
}

fn found(crates: &[&str], skip: &[&str], hit: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for dir in crates {
        for (path, text) in sources(dir) {
            let shown = path
                .strip_prefix(root())
                .unwrap_or(&path)
                .display()
                .to_string();
            if skip.iter().any(|s| shown.ends_with(s)) {
                continue;
            }
            for (n, line) in code_lines(&text) {
                if hit(line) {
                    out.push(format!("{shown}:{n}: {}", line.trim()));
                }
            }
        }
    }
    out
}

const SOURCES: &[&str] = &[
    "crates/luodi-domain/src",
    "crates/luodi-store/src",
    "crates/luodi-app/src",
    "crates/luodi-web/src",
    "crates/luodi/src",
];

#[test]
fn sql_only_in_the_store() {
    let hits = found(
        &[
            "crates/luodi-domain/src",
            "crates/luodi-app/src",
            "crates/luodi-web/src",
            "crates/luodi/src",
        ],
        &[],
        |l| {
            l.contains("sqlx::")
                || l.contains("SELECT ")
                || l.contains("UPDATE ")
                || l.contains("INSERT INTO")
        },
    );
    assert!(
        hits.is_empty(),
        "SQL outside luodi-store:\n{}",
        hits.join("\n")
    );
}

/// The web layer is an adapter: its handlers, pages, extractors and metrics call the
/// use cases of `luodi-app`, never the store (which would put a use case, unchecked by
/// the policy, in an HTTP handler).
#[test]
fn the_web_layer_calls_use_cases_not_the_store() {
    let hits = found(&["crates/luodi-web/src"], &[], |l| {
        let l = l.trim_end();
        l.contains(".store.") || l.ends_with(".store") || l.contains("Store::")
    });
    assert!(
        hits.is_empty(),
        "the store called from luodi-web:\n{}",
        hits.join("\n")
    );
}

#[test]
fn roles_are_compared_only_in_the_policy() {
    let comparison = |l: &str| {
        let l = l.replace(' ', "");
        l.contains("role==")
            || l.contains("role!=")
            || l.contains("==Role::")
            || l.contains("!=Role::")
            || l.contains("==luodi_domain::Role::")
            || l.contains("!=luodi_domain::Role::")
            || (l.contains("matches!(") && l.contains("role,"))
            || (l.starts_with("match") && l.contains("role{"))
    };
    let hits = found(
        SOURCES,
        &[
            "luodi-domain/src/core/policy.rs",
            "luodi-domain/src/core/role.rs",
        ],
        comparison,
    );
    assert!(
        hits.is_empty(),
        "roles compared outside crates/luodi-domain/src/core/policy.rs:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_cli_never_builds_the_web_layers_state() {
    let hits = found(&["crates/luodi/src"], &[], |l| {
        l.contains("AppState") || l.contains("luodi_web::api") || l.contains("luodi_web::pages")
    });
    assert!(
        hits.is_empty(),
        "the CLI reaches into the web layer:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_use_cases_know_nothing_of_http() {
    let hits = found(&["crates/luodi-app/src"], &[], |l| {
        l.contains("axum") || l.contains("luodi_web") || l.contains("StatusCode")
    });
    assert!(
        hits.is_empty(),
        "HTTP in the use cases:\n{}",
        hits.join("\n")
    );
}

/// Each crate depends only on the crates below it: domain ← store ← app ← web ← binary.
#[test]
fn dependencies_point_down() {
    let order = [
        "luodi-domain",
        "luodi-store",
        "luodi-app",
        "luodi-web",
        "luodi",
    ];
    for (i, krate) in order.iter().enumerate() {
        let manifest =
            std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap();
        let deps = manifest
            .split("[dependencies]")
            .nth(1)
            .unwrap_or("")
            .split("\n[")
            .next()
            .unwrap_or("");
        for above in &order[i + 1..] {
            let needle = format!("\n{above}.workspace");
            assert!(
                !deps.contains(&needle),
                "{krate} depends on {above}, which stands above it"
            );
        }
    }
}

/// Every key of the translation catalogue that the code names with `i18n::text` or
/// `i18n::fill` exists (the templates' and pages' keys are checked in `luodi-web`).
#[test]
fn every_catalogue_key_the_code_names_exists() {
    let mut named = 0;
    let mut missing = Vec::new();
    for dir in SOURCES {
        for (path, text) in sources(dir) {
            for call in ["i18n::text(", "i18n::fill(", "Text::key(", "Text::fill("] {
                for part in text.split(call).skip(1) {
                    // The language (for i18n's), then the key as a literal.
                    let rest = if call.starts_with("i18n") {
                        let Some((_, rest)) = part.split_once(',') else {
                            continue;
                        };
                        rest
                    } else {
                        part
                    };
                    let rest = rest.trim_start();
                    let Some(rest) = rest.strip_prefix('"') else {
                        continue;
                    };
                    let key = rest.split('"').next().unwrap_or("");
                    named += 1;
                    if !luodi_domain::core::i18n::has(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
    }
    assert!(named >= 2, "found only {named} keys");
    assert!(
        missing.is_empty(),
        "keys missing from the catalogue: {missing:#?}"
    );
}

/// The modules of the web crate import each other without circles (a circle makes every
/// file in it part of every other).
#[test]
fn no_import_circles_in_the_web_crate() {
    use std::collections::{BTreeMap, BTreeSet};
    let src = root().join("crates/luodi-web/src");
    let module = |path: &Path| -> String {
        let rel = path.strip_prefix(&src).unwrap().with_extension("");
        let mut name = rel.to_string_lossy().replace('/', "::");
        if name == "lib" {
            return "crate".into();
        }
        if let Some(parent) = name.strip_suffix("::mod") {
            name = parent.to_string();
        }
        format!("crate::{name}")
    };
    let files = sources("crates/luodi-web/src");
    let modules: BTreeSet<String> = files.iter().map(|(p, _)| module(p)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in &files {
        let me = module(path);
        let code = &text[..text.find("#[cfg(test)]").unwrap_or(text.len())];
        let mut deps = BTreeSet::new();
        let mut named = |full: &str| {
            let parts: Vec<&str> = full.split("::").collect();
            for k in (2..=parts.len()).rev() {
                let cand = parts[..k].join("::");
                if modules.contains(&cand) {
                    deps.insert(cand);
                    break;
                }
            }
        };
        for part in code.split("crate::").skip(1) {
            let path: String = part
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || *c == ':')
                .collect();
            named(&format!("crate::{}", path.trim_end_matches(':')));
        }
        let parent = me.rsplit_once("::").map_or("crate", |p| p.0).to_string();
        for part in code.split("super::").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            named(&format!("{parent}::{name}"));
        }
        deps.remove(&me);
        deps.remove("crate");
        edges.insert(me, deps);
    }
    // Strongly connected components (Tarjan).
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        circles: Vec<BTreeSet<String>>,
    }
    fn visit(w: &mut Walk, v: &str) {
        let n = w.index.len();
        w.index.insert(v.to_string(), n);
        w.low.insert(v.to_string(), n);
        w.stack.push(v.to_string());
        for u in w.edges.get(v).cloned().unwrap_or_default() {
            if !w.index.contains_key(&u) {
                visit(w, &u);
                let l = w.low[&u].min(w.low[v]);
                w.low.insert(v.to_string(), l);
            } else if w.stack.contains(&u) {
                let l = w.index[&u].min(w.low[v]);
                w.low.insert(v.to_string(), l);
            }
        }
        if w.low[v] == w.index[v] {
            let mut comp = BTreeSet::new();
            while let Some(u) = w.stack.pop() {
                comp.insert(u.clone());
                if u == v {
                    break;
                }
            }
            if comp.len() > 1 {
                w.circles.push(comp);
            }
        }
    }
    let mut walk = Walk {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        circles: Vec::new(),
    };
    for v in edges.keys() {
        if !walk.index.contains_key(v) {
            visit(&mut walk, v);
        }
    }
    assert!(
        walk.circles.is_empty(),
        "import circles in luodi-web: {:?}",
        walk.circles
    );
    assert!(modules.len() > 20, "found only {} modules", modules.len());
}

/// Every text a user reads comes from the translation catalogue (`luodi-domain/locales`),
/// none is written in the code: no Chinese string literal outside the catalogue, no
/// `Text::new` with literal words, no inline `t(lang, "中文", "English")` pair. Data that is
/// not interface text — the national classifications, the demo zone, the benchmark's
/// made-up catalogue, the words an import accepts — is listed with how many literals each
/// file may hold, so that a message slipped in beside the data still fails.
#[test]
fn no_user_facing_text_outside_the_catalogue() {
    const DATA: &[(&str, usize, &str)] = &[
        ("luodi-store/src/demo.rs", 80, "the demo zone's records"),
        (
            "luodi-store/src/demo_cluster.rs",
            30,
            "the demo zone's enterprises, targets and the project in production",
        ),
        (
            "luodi-domain/src/core/industry.rs",
            60,
            "GB/T 4754 section and class names",
        ),
        (
            "luodi-domain/src/core/uscc.rs",
            40,
            "GB 32100 registration authorities",
        ),
        (
            "luodi-domain/src/approvals/rule.rs",
            40,
            "regional assessments' and attributes' official names",
        ),
        (
            "luodi-domain/src/approvals/catalogue.rs",
            30,
            "the benchmark's made-up catalogue",
        ),
        (
            "luodi-domain/src/land/parcel.rs",
            4,
            "the yes/no words an import accepts",
        ),
        (
            "luodi-domain/src/stewardship/blocker.rs",
            30,
            "blocker categories and priorities (the web reads them as tables)",
        ),
        ("luodi/src/bench.rs", 5, "the benchmark's made-up records"),
        (
            "luodi/src/bench/cluster.rs",
            2,
            "the benchmark's made-up zone and enterprises",
        ),
    ];
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let mut slipped = Vec::new();
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for dir in SOURCES {
        for (path, text) in sources(dir) {
            let shown = path
                .strip_prefix(root())
                .unwrap_or(&path)
                .display()
                .to_string();
            let data = DATA.iter().find(|(f, _, _)| shown.ends_with(f));
            for (n, line) in code_lines(&text) {
                let literal = line
                    .split('"')
                    .skip(1)
                    .step_by(2)
                    .any(|s| s.chars().any(cjk));
                // The OpenAPI description, its examples and the CLI's help are for
                // integrators and operators, in English with the Chinese terms they name.
                // An error's Display (`#[error]`) is for the log; what a user reads is the
                // problem the use case makes of it.
                if ["description = \"", "about = \"", "example = \"", "#[error("]
                    .iter()
                    .any(|a| line.contains(a))
                {
                    continue;
                }
                let inline_pair = line.contains("Text::new(\"")
                    || ["t(lang, \"", "t(self.lang, \"", "tr(\""]
                        .iter()
                        .any(|call| {
                            line.match_indices(call).any(|(i, _)| {
                                !line[..i].chars().next_back().is_some_and(|c| {
                                    c.is_alphanumeric() || c == '_' || c == ':' || c == '.'
                                })
                            })
                        });
                if literal && data.is_some() {
                    *counts.entry(shown.clone()).or_default() += 1;
                } else if literal || inline_pair {
                    slipped.push(format!("{shown}:{n}: {}", line.trim()));
                }
            }
        }
    }
    for (file, max, what) in DATA {
        let n = counts
            .iter()
            .find(|(f, _)| f.ends_with(file))
            .map_or(0, |(_, n)| *n);
        assert!(
            n <= *max,
            "{file} holds {n} Chinese literals, more than the {max} of its data ({what}): is a message among them?"
        );
    }
    assert!(
        slipped.is_empty(),
        "user-facing text outside the catalogue (crates/luodi-domain/locales):\n{}",
        slipped.join("\n")
    );
}
