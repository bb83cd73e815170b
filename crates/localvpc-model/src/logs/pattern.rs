//! CloudWatch Logs filter patterns ("Filter pattern syntax for metric filters, subscription
//! filters, and filter log events"), parsed once and then matched against each message:
//!
//! - terms: `ERROR` (the message contains it; case-sensitive), several terms ANDed
//!   (`ERROR ARGUMENTS`), `"a quoted phrase"`, `?a ?b` (either), `-term` (not);
//! - space-delimited: `[version, account, eni, source, destination, srcport, destport="22",
//!   …, action="REJECT", flowlogstatus]`: the message is split on spaces (a `"…"` or `[…]`
//!   run is one field), each named field is bound in order (`...` stands for any number of
//!   fields), and the conditions (`=`, `!=`, `<`, `>`, `<=`, `>=`; numbers compare as
//!   numbers, strings with `*` wildcards; `&&`, `||`) must hold;
//! - JSON: `{ $.field = "value" && ($.n > 5 || $.x IS NULL) }` on messages that are JSON
//!   objects (`IS TRUE`, `IS FALSE`, `IS NULL`, `NOT EXISTS` too).
//!
//! An empty pattern matches everything. A pattern that does not parse is AWS's
//! `InvalidParameterException` "Invalid filter pattern"; regular expressions (`%…%`) are not
//! emulated.

use super::logs_invalid;
use crate::error::ModelError;
use serde_json::Value;

/// A parsed filter pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterPattern(Kind);

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    All,
    Terms(Terms),
    Space(Space),
    Json(JsonExpr),
}

impl FilterPattern {
    pub fn parse(text: &str) -> Result<Self, ModelError> {
        let t = text.trim();
        let kind = if t.is_empty() {
            Kind::All
        } else if t.starts_with('[') {
            Kind::Space(Space::parse(t)?)
        } else if t.starts_with('{') {
            Kind::Json(JsonExpr::parse(t)?)
        } else {
            Kind::Terms(Terms::parse(t)?)
        };
        Ok(Self(kind))
    }

    pub fn matches(&self, message: &str) -> bool {
        match &self.0 {
            Kind::All => true,
            Kind::Terms(t) => t.matches(message),
            Kind::Space(s) => s.matches(message),
            Kind::Json(j) => serde_json::from_str::<Value>(message)
                .ok()
                .is_some_and(|v| j.eval(&v)),
        }
    }
}

fn invalid() -> ModelError {
    logs_invalid("Invalid filter pattern")
}

// === Terms ===

#[derive(Clone, Debug, PartialEq, Default)]
struct Terms {
    all: Vec<String>,
    any: Vec<String>,
    none: Vec<String>,
}

impl Terms {
    fn parse(text: &str) -> Result<Self, ModelError> {
        let mut terms = Self::default();
        let mut chars = text.chars().peekable();
        loop {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            let Some(&first) = chars.peek() else { break };
            let mode = match first {
                '?' | '-' => {
                    chars.next();
                    first
                }
                _ => ' ',
            };
            let term = if chars.next_if_eq(&'"').is_some() {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => s.extend(chars.next()),
                        Some(c) => s.push(c),
                        None => return Err(invalid()),
                    }
                }
                s
            } else {
                let mut s = String::new();
                while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                    s.push(c);
                }
                if s.starts_with('%') {
                    return Err(ModelError::not_emulated(
                        "regular expressions in filter patterns",
                    ));
                }
                if s.is_empty() || !s.chars().all(term_char) {
                    return Err(logs_invalid(format!("Invalid character(s) in term '{s}'")));
                }
                s
            };
            match mode {
                '?' => terms.any.push(term),
                '-' => terms.none.push(term),
                _ => terms.all.push(term),
            }
        }
        Ok(terms)
    }

    fn matches(&self, message: &str) -> bool {
        self.all.iter().all(|t| message.contains(t.as_str()))
            && !self.none.iter().any(|t| message.contains(t.as_str()))
            && (self.any.is_empty() || self.any.iter().any(|t| message.contains(t.as_str())))
    }
}

fn term_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '/' | ':')
}

// === Space-delimited ===

#[derive(Clone, Debug, PartialEq)]
struct Space {
    items: Vec<Item>,
    /// Every condition of every field, ANDed.
    conditions: Vec<Cond>,
}

#[derive(Clone, Debug, PartialEq)]
enum Item {
    Field(String),
    Ellipsis,
}

/// A field's condition: comparisons joined by `&&` (tighter) and `||`.
#[derive(Clone, Debug, PartialEq)]
enum Cond {
    Cmp {
        field: String,
        op: Op,
        value: Literal,
    },
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
enum Literal {
    Number(f64),
    /// A string, possibly with `*` wildcards.
    Text(String),
}

impl Space {
    fn parse(text: &str) -> Result<Self, ModelError> {
        let inner = text
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .ok_or_else(invalid)?;
        let mut items = Vec::new();
        let mut conditions = Vec::new();
        for part in split_top_level(inner, ',')? {
            let part = part.trim();
            if part == "..." {
                items.push(Item::Ellipsis);
                continue;
            }
            let tokens = tokenize(part)?;
            match tokens.as_slice() {
                [Tok::Word(name)] if is_name(name) => items.push(Item::Field(name.clone())),
                [Tok::Word(name), ..] if is_name(name) => {
                    let mut p = Parser {
                        tokens: &tokens,
                        at: 0,
                    };
                    let cond = p.or_cond()?;
                    if p.at != tokens.len() {
                        return Err(invalid());
                    }
                    items.push(Item::Field(name.clone()));
                    conditions.push(cond);
                }
                _ => return Err(invalid()),
            }
        }
        if items.is_empty() {
            return Err(invalid());
        }
        Ok(Self { items, conditions })
    }

    fn matches(&self, message: &str) -> bool {
        let fields = split_message(message);
        let mut bound: Vec<(&str, &str)> = Vec::new();
        self.align(&self.items, &fields, &mut bound)
    }

    /// Binds the items to the fields (trying each length an ellipsis may take), then checks
    /// the conditions.
    fn align<'a>(
        &'a self,
        items: &'a [Item],
        fields: &[&'a str],
        bound: &mut Vec<(&'a str, &'a str)>,
    ) -> bool {
        match items.split_first() {
            None => fields.is_empty() && self.conditions.iter().all(|c| c.holds(bound)),
            Some((Item::Field(name), rest)) => {
                let Some((value, more)) = fields.split_first() else {
                    return false;
                };
                bound.push((name, value));
                let ok = self.align(rest, more, bound);
                bound.pop();
                ok
            }
            Some((Item::Ellipsis, rest)) => (0..=fields.len())
                .any(|skip| self.align(rest, fields.get(skip..).unwrap_or_default(), bound)),
        }
    }
}

impl Cond {
    fn holds(&self, bound: &[(&str, &str)]) -> bool {
        match self {
            Self::And(a, b) => a.holds(bound) && b.holds(bound),
            Self::Or(a, b) => a.holds(bound) || b.holds(bound),
            Self::Cmp { field, op, value } => bound
                .iter()
                .find(|(n, _)| n == field)
                .is_some_and(|(_, v)| compare_text(v, *op, value)),
        }
    }
}

/// A field's text against a literal: numbers as numbers, strings with wildcards.
fn compare_text(field: &str, op: Op, value: &Literal) -> bool {
    match value {
        Literal::Number(n) => field
            .parse::<f64>()
            .ok()
            .is_some_and(|f| compare_numbers(f, op, *n)),
        Literal::Text(pattern) => match op {
            Op::Eq => wildcard(pattern, field),
            Op::Ne => !wildcard(pattern, field),
            // Refused at parse time.
            _ => false,
        },
    }
}

fn compare_numbers(a: f64, op: Op, b: f64) -> bool {
    match op {
        Op::Eq => a == b,
        Op::Ne => a != b,
        Op::Lt => a < b,
        Op::Gt => a > b,
        Op::Le => a <= b,
        Op::Ge => a >= b,
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn wildcard(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return true;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        // No `*`: the whole text.
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = rest.get(i + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// A message's space-delimited fields: a `"…"` or `[…]` run is one field (without its
/// delimiters).
fn split_message(message: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut rest = message.trim_start();
    while !rest.is_empty() {
        let (field, next) = match rest.chars().next() {
            Some(open @ ('"' | '[')) => {
                let close = if open == '"' { '"' } else { ']' };
                let body = rest.get(1..).unwrap_or_default();
                match body.find(close) {
                    Some(i) => (
                        body.get(..i).unwrap_or_default(),
                        body.get(i + 1..).unwrap_or_default(),
                    ),
                    None => split_at_space(rest),
                }
            }
            _ => split_at_space(rest),
        };
        fields.push(field);
        rest = next.trim_start();
    }
    fields
}

fn split_at_space(s: &str) -> (&str, &str) {
    match s.find(char::is_whitespace) {
        Some(i) => (
            s.get(..i).unwrap_or_default(),
            s.get(i..).unwrap_or_default(),
        ),
        None => (s, ""),
    }
}

/// Splits on `sep` outside double quotes.
fn split_top_level(text: &str, sep: char) -> Result<Vec<&str>, ModelError> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                parts.push(text.get(start..i).unwrap_or_default());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if quoted {
        return Err(invalid());
    }
    parts.push(text.get(start..).unwrap_or_default());
    Ok(parts)
}

fn is_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

// === Tokens shared by the space-delimited and JSON forms ===

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// A bare word: a name, a selector, a number or an unquoted string.
    Word(String),
    Quoted(String),
    Op(Op),
    And,
    Or,
    Open,
    Close,
}

fn tokenize(text: &str) -> Result<Vec<Tok>, ModelError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => s.extend(chars.next()),
                        Some(c) => s.push(c),
                        None => return Err(invalid()),
                    }
                }
                out.push(Tok::Quoted(s));
            }
            '(' => {
                chars.next();
                out.push(Tok::Open);
            }
            ')' => {
                chars.next();
                out.push(Tok::Close);
            }
            '&' | '|' => {
                chars.next();
                if chars.next() != Some(c) {
                    return Err(invalid());
                }
                out.push(if c == '&' { Tok::And } else { Tok::Or });
            }
            '=' | '!' | '<' | '>' => {
                chars.next();
                let eq = chars.next_if_eq(&'=').is_some();
                out.push(Tok::Op(match (c, eq) {
                    ('=', _) => Op::Eq,
                    ('!', true) => Op::Ne,
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    ('>', true) => Op::Ge,
                    _ => return Err(invalid()),
                }));
            }
            _ => {
                let mut s = String::new();
                while let Some(c) = chars.next_if(|c| {
                    !c.is_whitespace()
                        && !matches!(c, '"' | '(' | ')' | '&' | '|' | '=' | '!' | '<' | '>')
                }) {
                    s.push(c);
                }
                out.push(Tok::Word(s));
            }
        }
    }
    Ok(out)
}

struct Parser<'t> {
    tokens: &'t [Tok],
    at: usize,
}

impl Parser<'_> {
    fn next(&mut self) -> Option<&Tok> {
        let t = self.tokens.get(self.at);
        self.at += 1;
        t
    }

    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at)
    }

    fn or_cond(&mut self) -> Result<Cond, ModelError> {
        let mut left = self.and_cond()?;
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            left = Cond::Or(Box::new(left), Box::new(self.and_cond()?));
        }
        Ok(left)
    }

    fn and_cond(&mut self) -> Result<Cond, ModelError> {
        let mut left = self.cmp()?;
        while self.peek() == Some(&Tok::And) {
            self.at += 1;
            left = Cond::And(Box::new(left), Box::new(self.cmp()?));
        }
        Ok(left)
    }

    fn cmp(&mut self) -> Result<Cond, ModelError> {
        let Some(Tok::Word(field)) = self.next().cloned() else {
            return Err(invalid());
        };
        if !is_name(&field) {
            return Err(invalid());
        }
        let Some(Tok::Op(op)) = self.next().cloned() else {
            return Err(invalid());
        };
        let value = self.literal()?;
        if matches!(value, Literal::Text(_)) && !matches!(op, Op::Eq | Op::Ne) {
            return Err(invalid());
        }
        Ok(Cond::Cmp { field, op, value })
    }

    fn literal(&mut self) -> Result<Literal, ModelError> {
        match self.next() {
            Some(Tok::Quoted(s)) => Ok(Literal::Text(s.clone())),
            Some(Tok::Word(w)) => Ok(match w.parse::<f64>() {
                Ok(n) if !w.contains('*') => Literal::Number(n),
                _ => Literal::Text(w.clone()),
            }),
            _ => Err(invalid()),
        }
    }
}

// === JSON ===

#[derive(Clone, Debug, PartialEq)]
enum JsonExpr {
    And(Box<JsonExpr>, Box<JsonExpr>),
    Or(Box<JsonExpr>, Box<JsonExpr>),
    Test(Selector, JsonTest),
}

#[derive(Clone, Debug, PartialEq)]
enum JsonTest {
    Cmp(Op, JsonLiteral),
    IsTrue,
    IsFalse,
    IsNull,
    NotExists,
}

#[derive(Clone, Debug, PartialEq)]
enum JsonLiteral {
    Number(f64),
    Text(String),
}

/// `$.a.b[0].c`.
#[derive(Clone, Debug, PartialEq)]
struct Selector(Vec<Step>);

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

impl Selector {
    fn parse(s: &str) -> Result<Self, ModelError> {
        let mut rest = s.strip_prefix('$').ok_or_else(invalid)?;
        let mut steps = Vec::new();
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('.') {
                let end = r.find(['.', '[']).unwrap_or(r.len());
                let key = r.get(..end).unwrap_or_default();
                if key.is_empty() {
                    return Err(invalid());
                }
                steps.push(Step::Key(key.to_owned()));
                rest = r.get(end..).unwrap_or_default();
            } else if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']').ok_or_else(invalid)?;
                let index = r
                    .get(..end)
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(invalid)?;
                steps.push(Step::Index(index));
                rest = r.get(end + 1..).unwrap_or_default();
            } else {
                return Err(invalid());
            }
        }
        if steps.is_empty() {
            return Err(invalid());
        }
        Ok(Self(steps))
    }

    fn find<'v>(&self, mut value: &'v Value) -> Option<&'v Value> {
        for step in &self.0 {
            value = match step {
                Step::Key(k) => value.get(k.as_str())?,
                Step::Index(i) => value.get(*i)?,
            };
        }
        Some(value)
    }
}

impl JsonExpr {
    fn parse(text: &str) -> Result<Self, ModelError> {
        let inner = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .ok_or_else(|| {
                logs_invalid("If a filter pattern starts with '{' it must end with '}'")
            })?;
        let tokens = tokenize(inner)?;
        let mut p = Parser {
            tokens: &tokens,
            at: 0,
        };
        let expr = p.json_or()?;
        if p.at != tokens.len() {
            return Err(invalid());
        }
        Ok(expr)
    }

    fn eval(&self, doc: &Value) -> bool {
        match self {
            Self::And(a, b) => a.eval(doc) && b.eval(doc),
            Self::Or(a, b) => a.eval(doc) || b.eval(doc),
            Self::Test(selector, test) => {
                let found = selector.find(doc);
                match test {
                    JsonTest::NotExists => found.is_none(),
                    JsonTest::IsNull => found.is_some_and(Value::is_null),
                    JsonTest::IsTrue => found == Some(&Value::Bool(true)),
                    JsonTest::IsFalse => found == Some(&Value::Bool(false)),
                    JsonTest::Cmp(op, literal) => {
                        found.is_some_and(|v| json_compare(v, *op, literal))
                    }
                }
            }
        }
    }
}

fn json_compare(v: &Value, op: Op, literal: &JsonLiteral) -> bool {
    match (v, literal) {
        (Value::Number(n), JsonLiteral::Number(l)) => {
            n.as_f64().is_some_and(|n| compare_numbers(n, op, *l))
        }
        (Value::String(s), JsonLiteral::Number(l)) => s
            .parse::<f64>()
            .ok()
            .is_some_and(|n| compare_numbers(n, op, *l)),
        (Value::String(s), JsonLiteral::Text(p)) => compare_text(s, op, &Literal::Text(p.clone())),
        (Value::Bool(b), JsonLiteral::Text(p)) => compare_text(
            if *b { "true" } else { "false" },
            op,
            &Literal::Text(p.clone()),
        ),
        (Value::Array(items), _) => items.iter().any(|i| json_compare(i, op, literal)),
        _ => op == Op::Ne,
    }
}

impl Parser<'_> {
    fn json_or(&mut self) -> Result<JsonExpr, ModelError> {
        let mut left = self.json_and()?;
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            left = JsonExpr::Or(Box::new(left), Box::new(self.json_and()?));
        }
        Ok(left)
    }

    fn json_and(&mut self) -> Result<JsonExpr, ModelError> {
        let mut left = self.json_primary()?;
        while self.peek() == Some(&Tok::And) {
            self.at += 1;
            left = JsonExpr::And(Box::new(left), Box::new(self.json_primary()?));
        }
        Ok(left)
    }

    fn json_primary(&mut self) -> Result<JsonExpr, ModelError> {
        match self.next().cloned() {
            Some(Tok::Open) => {
                let e = self.json_or()?;
                if self.next() != Some(&Tok::Close) {
                    return Err(invalid());
                }
                Ok(e)
            }
            Some(Tok::Word(w)) => {
                let selector = Selector::parse(&w)?;
                let test = match self.next().cloned() {
                    Some(Tok::Op(op)) => {
                        let literal = match self.literal()? {
                            Literal::Number(n) => JsonLiteral::Number(n),
                            Literal::Text(t) => JsonLiteral::Text(t),
                        };
                        if matches!(literal, JsonLiteral::Text(_)) && !matches!(op, Op::Eq | Op::Ne)
                        {
                            return Err(invalid());
                        }
                        JsonTest::Cmp(op, literal)
                    }
                    Some(Tok::Word(kw)) if kw.eq_ignore_ascii_case("IS") => match self.next() {
                        Some(Tok::Word(v)) if v.eq_ignore_ascii_case("TRUE") => JsonTest::IsTrue,
                        Some(Tok::Word(v)) if v.eq_ignore_ascii_case("FALSE") => JsonTest::IsFalse,
                        Some(Tok::Word(v)) if v.eq_ignore_ascii_case("NULL") => JsonTest::IsNull,
                        _ => return Err(invalid()),
                    },
                    Some(Tok::Word(kw)) if kw.eq_ignore_ascii_case("NOT") => match self.next() {
                        Some(Tok::Word(v)) if v.eq_ignore_ascii_case("EXISTS") => {
                            JsonTest::NotExists
                        }
                        _ => return Err(invalid()),
                    },
                    _ => return Err(invalid()),
                };
                Ok(JsonExpr::Test(selector, test))
            }
            _ => Err(invalid()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, message: &str) -> bool {
        FilterPattern::parse(pattern)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
            .matches(message)
    }

    fn bad(pattern: &str) -> String {
        let e = FilterPattern::parse(pattern).expect_err(pattern);
        assert_eq!(e.code(), "InvalidParameterException", "{pattern}");
        e.to_string()
    }

    const ACCEPT: &str = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
    const REJECT: &str = "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK";
    const FIELDS: &str = "version, account, eni, source, destination, srcport, destport, protocol, packets, bytes, windowstart, windowend";

    #[test]
    fn empty_matches_everything() {
        assert!(m("", "anything"));
        assert!(m("   ", ""));
    }

    #[test]
    fn terms() {
        assert!(m("ERROR", "[ERROR] disk full"));
        assert!(!m("ERROR", "error: disk full"));
        assert!(m("ERROR disk", "[ERROR] disk full"));
        assert!(!m("ERROR memory", "[ERROR] disk full"));
        assert!(m("?ERROR ?WARN", "WARN low disk"));
        assert!(!m("?ERROR ?WARN", "INFO ok"));
        assert!(m("ERROR -disk", "ERROR memory"));
        assert!(!m("ERROR -disk", "ERROR disk"));
        assert!(m("\"disk full\"", "[ERROR] disk full"));
        assert!(!m("\"disk full\"", "disk is full"));
        assert!(m("REJECT", REJECT));
        assert!(m("172.31.9.69", REJECT));
        assert!(m("eni-1235b8ca123456789", ACCEPT));
        assert_eq!(
            bad("user@example.com"),
            "Invalid character(s) in term 'user@example.com'"
        );
        assert_eq!(bad("\"unclosed"), "Invalid filter pattern");
    }

    #[test]
    fn space_delimited_flow_logs() {
        let reject = format!("[{FIELDS}, action=\"REJECT\", flowlogstatus]");
        assert!(m(&reject, REJECT));
        assert!(!m(&reject, ACCEPT));
        let any = format!("[{FIELDS}, action, flowlogstatus]");
        assert!(m(&any, REJECT) && m(&any, ACCEPT));
        // Too few or too many fields.
        assert!(!m(&any, "2 123456789010 eni-1 x"));
        assert!(!m(
            &format!("[{FIELDS}, action, flowlogstatus]"),
            &format!("{ACCEPT} extra")
        ));
        let ssh = "[version, account, eni, source, destination, srcport, destport=\"22\", protocol, packets, bytes, windowstart, windowend, action, flowlogstatus]";
        assert!(m(ssh, ACCEPT));
        assert!(!m(ssh, REJECT));
        let numeric = "[version, account, eni, source, destination, srcport, destport=22, ...]";
        assert!(m(numeric, ACCEPT));
        let range = "[version, account, eni, source, destination, srcport, destport>=1024 && destport<=65535, ...]";
        assert!(m(range, REJECT));
        assert!(!m(range, ACCEPT));
        let either = "[version, account, eni, source, destination, srcport, destport=22 || destport=3389, ...]";
        assert!(m(either, ACCEPT) && m(either, REJECT));
        let not = "[..., action!=\"ACCEPT\", flowlogstatus]";
        assert!(m(not, REJECT) && !m(not, ACCEPT));
        let wildcard = "[version, account, eni, source=\"172.31.9.*\", ...]";
        assert!(m(wildcard, REJECT) && !m(wildcard, ACCEPT));
        let unquoted = "[version, account, eni, source=172.31.16.*, ...]";
        assert!(m(unquoted, ACCEPT) && !m(unquoted, REJECT));
        let bytes = "[..., bytes > 4000, windowstart, windowend, action, flowlogstatus]";
        assert!(m(bytes, ACCEPT));
        assert!(!m(
            "[..., bytes < 4000, windowstart, windowend, action, flowlogstatus]",
            ACCEPT
        ));
        // A field that is not a number fails a numeric comparison.
        assert!(!m("[version, account>5, ...]", "2 abc"));
    }

    #[test]
    fn space_delimited_quoted_and_bracketed_fields() {
        let line = r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534"#;
        let p = "[ip, user, username, timestamp, request, status_code, bytes]";
        assert!(m(p, line));
        assert!(m(
            "[ip, user, username, timestamp, request=*gif*, status_code=2*, bytes>1000]",
            line
        ));
        assert!(!m(
            "[ip, user, username, timestamp, request=*html*, status_code, bytes]",
            line
        ));
        assert!(m("[ip=127.0.0.1, ...]", line));
        assert!(m("[..., status_code=200, bytes]", line));
        assert!(m("[ip, ..., bytes=1534]", line));
        assert!(m("[ip, ..., timestamp=\"10/Oct/2000*\", ...]", line));
    }

    #[test]
    fn space_delimited_errors() {
        for p in [
            "[",
            "[]",
            "[a, b",
            "[a b]",
            "[a=]",
            "[a < \"x\"]",
            "[a = 1 &&]",
            "[a & b]",
            "[a, \"b]",
            "[1a]",
        ] {
            assert_eq!(bad(p), "Invalid filter pattern", "{p}");
        }
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("*", ""));
        assert!(wildcard("a*", "abc"));
        assert!(wildcard("*c", "abc"));
        assert!(wildcard("a*c", "abc"));
        assert!(wildcard("a*b*c", "aXbYc"));
        assert!(!wildcard("a*b*c", "aXcYb"));
        assert!(!wildcard("abc", "abcd"));
        assert!(!wildcard("a*aa", "aa"));
        assert!(wildcard("ab", "ab"));
    }

    #[test]
    fn json() {
        let msg = r#"{"eventType":"UpdateTrail","user":{"name":"ann","id":7},"ok":true,"err":null,"tags":["a","b"],"latency":"12"}"#;
        assert!(m(r#"{ $.eventType = "UpdateTrail" }"#, msg));
        assert!(m(r#"{ $.eventType = UpdateTrail }"#, msg));
        assert!(m(r#"{ $.eventType = "Update*" }"#, msg));
        assert!(!m(r#"{ $.eventType = "DeleteTrail" }"#, msg));
        assert!(m(r#"{ $.eventType != "DeleteTrail" }"#, msg));
        assert!(m(r#"{ $.user.id > 5 && $.user.name = "ann" }"#, msg));
        assert!(m(
            r#"{ $.user.id < 5 || ($.ok IS TRUE && $.err IS NULL) }"#,
            msg
        ));
        assert!(!m(r#"{ $.ok IS FALSE }"#, msg));
        assert!(m(r#"{ $.missing NOT EXISTS }"#, msg));
        assert!(!m(r#"{ $.user NOT EXISTS }"#, msg));
        assert!(m(r#"{ $.tags[1] = "b" }"#, msg));
        assert!(m(r#"{ $.tags = "a" }"#, msg));
        assert!(m(r#"{ $.latency >= 12 }"#, msg));
        assert!(!m(r#"{ $.eventType = "UpdateTrail" }"#, "not json"));
        assert_eq!(
            bad(r#"{ $.a = 1"#),
            "If a filter pattern starts with '{' it must end with '}'"
        );
        for p in [
            r#"{ a = 1 }"#,
            r#"{ $.a }"#,
            r#"{ $.a = }"#,
            r#"{ ($.a = 1 }"#,
            r#"{ $.a > "x" }"#,
            r#"{ $. = 1 }"#,
        ] {
            assert_eq!(bad(p), "Invalid filter pattern", "{p}");
        }
    }

    #[test]
    fn regular_expressions_are_not_emulated() {
        let e = FilterPattern::parse("%ERR.*%").unwrap_err();
        assert_eq!(e.code(), "UnsupportedOperation");
    }
}
