//! `--set path=value`: overrides any scenario field before the scenario is checked.
//!
//! The path names fields with dots (`centre.registration_kiosks`) and list items by index
//! (`faults.scheduled.0.at`). The value is read as JSON when it parses as JSON (`11`,
//! `0.1`, `true`, `{"constant": "2min"}`) and as a string otherwise (`2019-01-22`, `90s`).

use serde_json::Value;

/// One parsed override.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub path: Vec<String>,
    pub value: Value,
}

pub fn parse(text: &str) -> Result<Override, String> {
    let Some((path, raw)) = text.split_once('=') else {
        return Err("expected path=value".to_string());
    };
    let path: Vec<String> = path.split('.').map(str::to_string).collect();
    if path.iter().any(String::is_empty) {
        return Err("the path has an empty part".to_string());
    }
    let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    Ok(Override { path, value })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Sets the value at the override's path, creating missing objects on the way.
pub fn apply(target: &mut Value, item: &Override) -> Result<(), String> {
    let mut current = target;
    for (depth, segment) in item.path.iter().enumerate() {
        let last = depth + 1 == item.path.len();
        let prefix = item.path[..depth].join(".");
        current = match current {
            Value::Object(map) => {
                if last {
                    map.insert(segment.clone(), item.value.clone());
                    return Ok(());
                }
                map.entry(segment.clone())
                    .or_insert_with(|| Value::Object(Default::default()))
            }
            Value::Array(list) => {
                let index: usize = segment
                    .parse()
                    .map_err(|_| format!("{prefix} is a list; {segment:?} is not an index",))?;
                let length = list.len();
                let slot = list
                    .get_mut(index)
                    .ok_or_else(|| format!("{prefix} has {length} items, no item {index}",))?;
                if last {
                    *slot = item.value.clone();
                    return Ok(());
                }
                slot
            }
            other => {
                let kind = kind(other);
                return Err(format!(
                    "{prefix} is {kind}, which has no field {segment:?}",
                ));
            }
        };
    }
    Err("the path is empty".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sets_numbers_strings_and_nested_fields() {
        let mut scenario =
            json!({"centre": {"registration_kiosks": 10, "day": "2019-01-21"}, "list": [1, 2]});
        for text in [
            "centre.registration_kiosks=11",
            "centre.day=2019-01-22",
            "new.field=0.5",
            "list.1=7",
        ] {
            apply(&mut scenario, &parse(text).unwrap()).unwrap();
        }
        assert_eq!(
            scenario,
            json!({"centre": {"registration_kiosks": 11, "day": "2019-01-22"}, "new": {"field": 0.5}, "list": [1, 7]})
        );
    }

    #[test]
    fn explains_paths_that_cannot_be_set() {
        let mut scenario = json!({"centre": {"registration_kiosks": 10}, "list": [1]});
        let error =
            |text: &str, scenario: &mut Value| apply(scenario, &parse(text).unwrap()).unwrap_err();
        assert_eq!(
            error("centre.registration_kiosks.x=1", &mut scenario),
            "centre.registration_kiosks is a number, which has no field \"x\""
        );
        assert_eq!(
            error("list.3=1", &mut scenario),
            "list has 1 items, no item 3"
        );
        assert!(parse("centre").is_err());
        assert!(parse("centre..x=1").is_err());
    }
}
