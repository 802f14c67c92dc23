//! Text from outside: which characters a stored text may hold. Control characters are
//! refused wherever text enters — a JSON body, a query string, a form, an imported file —
//! with the field named, so both databases behave alike (PostgreSQL cannot store NUL in
//! text at all; SQLite would keep it) and nothing invisible reaches a page, an export or
//! a message. Tab, line feed and carriage return are ordinary text.

use serde_json::Value;

/// Whether `c` is a control character text may not hold: C0 controls other than tab,
/// line feed and carriage return, DEL, and the C1 controls.
pub fn is_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// The first forbidden control character of `s`, if any.
pub fn forbidden_char(s: &str) -> Option<char> {
    s.chars().find(|&c| is_forbidden(c))
}

/// How a refused character is named to a person: `U+0000`.
pub fn describe(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// A parsed document's tree as the walk below sees it: JSON and TOML alike.
enum Node<'a, T> {
    Text(&'a str),
    List(&'a [T]),
    Map(Box<dyn Iterator<Item = (&'a String, &'a T)> + 'a>),
    Other,
}

trait Tree: Sized {
    fn node(&self) -> Node<'_, Self>;
}

impl Tree for Value {
    fn node(&self) -> Node<'_, Self> {
        match self {
            Value::String(s) => Node::Text(s),
            Value::Array(items) => Node::List(items),
            Value::Object(map) => Node::Map(Box::new(map.iter())),
            _ => Node::Other,
        }
    }
}

impl Tree for toml::Value {
    fn node(&self) -> Node<'_, Self> {
        match self {
            toml::Value::String(s) => Node::Text(s),
            toml::Value::Array(items) => Node::List(items),
            toml::Value::Table(map) => Node::Map(Box::new(map.iter())),
            _ => Node::Other,
        }
    }
}

/// The path (`phases[0].name`, or the key itself for a bad key) of the first string or
/// key in the tree that holds a forbidden character, with that character.
fn tree_forbidden<T: Tree>(value: &T) -> Option<(String, char)> {
    fn walk<T: Tree>(v: &T, path: &mut String) -> Option<(String, char)> {
        match v.node() {
            Node::Text(s) => forbidden_char(s).map(|c| (path.clone(), c)),
            Node::List(items) => items.iter().enumerate().find_map(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(item, path);
                path.truncate(len);
                found
            }),
            Node::Map(mut entries) => entries.find_map(|(k, item)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                let found = match forbidden_char(k) {
                    Some(c) => Some((path.clone(), c)),
                    None => walk(item, path),
                };
                path.truncate(len);
                found
            }),
            Node::Other => None,
        }
    }
    walk(value, &mut String::new())
}

/// The path (`phases[0].name`, or the key itself for a bad key) of the first string or key
/// in a JSON value that holds a forbidden character, with that character.
pub fn json_forbidden(value: &Value) -> Option<(String, char)> {
    tree_forbidden(value)
}

/// The same for a TOML value (a catalogue or calendar file).
pub fn toml_forbidden(value: &toml::Value) -> Option<(String, char)> {
    tree_forbidden(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn control_characters_are_found_with_their_place() {
        assert_eq!(forbidden_char("青岛\n康湾\t一期\r"), None);
        assert_eq!(forbidden_char("a\u{0}b"), Some('\u{0}'));
        assert_eq!(forbidden_char("a\u{7f}"), Some('\u{7f}'));
        assert_eq!(forbidden_char("a\u{85}"), Some('\u{85}'));
        assert_eq!(forbidden_char("€ ¥ 中"), None);
        assert_eq!(describe('\u{0}'), "U+0000");
        let v = json!({"name": "ok", "phases": [{"name": "a"}, {"facts": {"x": "b\u{1}"}}]});
        assert_eq!(
            json_forbidden(&v),
            Some(("phases[1].facts.x".to_string(), '\u{1}'))
        );
        assert_eq!(
            json_forbidden(&json!({"a\u{0}": 1})),
            Some(("a\u{0}".to_string(), '\u{0}'))
        );
        assert_eq!(json_forbidden(&json!({"name": "fine\n"})), None);
        let t: toml::Value = toml::from_str("[[item]]\nname = \"x\\u0000\"\n").unwrap();
        assert_eq!(
            toml_forbidden(&t),
            Some(("item[0].name".to_string(), '\u{0}'))
        );
    }

    #[test]
    fn imported_files_with_control_characters_are_refused_with_the_place() {
        // Regression: NUL in an imported file's text was a 500 on PostgreSQL.
        let catalogue =
            crate::approvals::catalogue::DEFAULT.replacen("name_zh = \"", "name_zh = \"\\u0000", 1);
        let err = crate::approvals::catalogue::Catalogue::parse(&catalogue).unwrap_err();
        assert!(err[0].to_string().contains("U+0000"), "{err:?}");
        let calendar = "[[year]]\nyear = 2027\nsource = \"x\\u0001\"\nholidays = []\nworkdays = []";
        let err = crate::core::calendar::parse_years(calendar).unwrap_err();
        assert!(err.to_string().contains("year[0].source"), "{err}");
        let geojson = json!({"type": "FeatureCollection", "features": [{"type": "Feature",
            "properties": {"code": "A-1", "name": "a\u{0}b", "note": ["x\u{1b}"]},
            "geometry": {"type": "Polygon", "coordinates": [[[120.0, 36.0], [120.01, 36.0], [120.01, 36.01], [120.0, 36.01], [120.0, 36.0]]]}}]});
        let problems =
            crate::land::readers::parcels_from_geojson(&geojson.to_string()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert!(
            fields.contains(&"name") && fields.contains(&"note"),
            "{problems:?}"
        );
        let csv = "code,name,wkt\nB-1,\"x\u{0}\",\"POLYGON((120 36, 120.01 36, 120.01 36.01, 120 36.01, 120 36))\"\n";
        let problems = crate::land::readers::parcels_from_csv(csv.as_bytes()).unwrap_err();
        assert_eq!(problems[0].field, "name", "{problems:?}");
    }
}
