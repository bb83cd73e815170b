//! Text patterns: policy variables, `*`/`?` wildcards, and segment-wise ARN matching.

use std::borrow::Cow;

use crate::context::Context;

/// One element of a compiled wildcard pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// This character.
    Lit(char),
    /// `*`: any run of characters, the empty run included.
    Star,
    /// `?`: exactly one character.
    One,
}

/// Compiles `text` with `*` and `?` as wildcards.
pub(crate) fn wildcard_tokens(text: &str, out: &mut Vec<Tok>) {
    out.extend(text.chars().map(|c| match c {
        '*' => Tok::Star,
        '?' => Tok::One,
        c => Tok::Lit(c),
    }));
}

/// Whether `text` matches `pattern` as a whole. With `fold_ascii`, ASCII letters match
/// regardless of case (action names).
pub(crate) fn glob(pattern: &[Tok], text: &str, fold_ascii: bool) -> bool {
    let same = |p: char, c: char| {
        if fold_ascii {
            p.eq_ignore_ascii_case(&c)
        } else {
            p == c
        }
    };
    let mut p = 0usize;
    let mut t = text;
    // Where to resume after a mismatch: the position after the last `*` and the text that
    // `*` has not absorbed yet.
    let mut resume: Option<(usize, &str)> = None;
    loop {
        let mut chars = t.chars();
        match (pattern.get(p), chars.next()) {
            (Some(Tok::Star), _) => {
                p += 1;
                resume = Some((p, t));
                continue;
            }
            (Some(Tok::One), Some(_)) => {
                p += 1;
                t = chars.as_str();
                continue;
            }
            (Some(Tok::Lit(l)), Some(c)) if same(*l, c) => {
                p += 1;
                t = chars.as_str();
                continue;
            }
            (None, None) => return true,
            _ => {}
        }
        // Mismatch: let the last `*` absorb one more character, or fail.
        let Some((rp, rt)) = resume else { return false };
        let mut rest = rt.chars();
        if rest.next().is_none() {
            return false;
        }
        resume = Some((rp, rest.as_str()));
        p = rp;
        t = rest.as_str();
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    /// Text from the policy. Where the element allows wildcards, `*` and `?` in it are.
    Text(String),
    /// A character that always stands for itself: the `${*}`, `${?}` and `${$}` escapes.
    Literal(char),
    /// `${key}` or `${key, 'default'}`. The key is stored lowercased.
    Var {
        key: String,
        default: Option<String>,
    },
    /// A `${…}` that is not a well-formed variable. It never resolves.
    Broken,
}

/// A policy string that may contain policy variables (`${aws:username}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses `raw`. Without `variables` (policy version `2008-10-17`), `${…}` is literal text.
    pub(crate) fn parse(raw: &str, variables: bool) -> Self {
        let mut parts = Vec::new();
        let mut rest = raw;
        if variables {
            while let Some((before, after)) = rest.split_once("${") {
                // An unclosed `${` is plain text, like the rest of the string.
                let Some((inner, tail)) = after.split_once('}') else {
                    break;
                };
                push_text(&mut parts, before);
                parts.push(parse_variable(inner));
                rest = tail;
            }
        }
        push_text(&mut parts, rest);
        Self { parts }
    }

    /// Whether the value depends on the request (it holds a variable, resolvable or not).
    pub(crate) fn has_variables(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Var { .. } | Part::Broken))
    }

    /// The text, if it is plain policy text: no variables and no escapes.
    pub(crate) fn plain(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(s) => out.push_str(s),
                _ => return None,
            }
        }
        Some(out)
    }

    /// The value with its variables substituted from `ctx`; `None` when one cannot be.
    pub(crate) fn resolve<'a>(&'a self, ctx: &'a Context) -> Option<Cow<'a, str>> {
        match self.parts.as_slice() {
            [] => return Some(Cow::Borrowed("")),
            [Part::Text(s)] => return Some(Cow::Borrowed(s)),
            _ => {}
        }
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(s) => out.push_str(s),
                Part::Literal(c) => out.push(*c),
                Part::Var { .. } | Part::Broken => out.push_str(variable_value(part, ctx)?),
            }
        }
        Some(Cow::Owned(out))
    }

    /// Appends the wildcard tokens of this template to `out`; substituted values and escapes
    /// are literal. `false` when a variable cannot be resolved.
    fn tokens_into(&self, ctx: &Context, out: &mut Vec<Tok>) -> bool {
        for part in &self.parts {
            match part {
                Part::Text(s) => wildcard_tokens(s, out),
                Part::Literal(c) => out.push(Tok::Lit(*c)),
                Part::Var { .. } | Part::Broken => match variable_value(part, ctx) {
                    Some(value) => out.extend(value.chars().map(Tok::Lit)),
                    None => return false,
                },
            }
        }
        true
    }

    /// Splits at the colons of the policy text (not those inside variables) into at most
    /// six ARN segments; the sixth keeps any further colons.
    fn split_arn(&self) -> Vec<Template> {
        let mut segments = Vec::new();
        let mut current = Vec::new();
        for part in &self.parts {
            let Part::Text(text) = part else {
                current.push(part.clone());
                continue;
            };
            let mut rest = text.as_str();
            while segments.len() < 5 {
                let Some((head, tail)) = rest.split_once(':') else {
                    break;
                };
                push_text(&mut current, head);
                segments.push(Template {
                    parts: std::mem::take(&mut current),
                });
                rest = tail;
            }
            push_text(&mut current, rest);
        }
        segments.push(Template { parts: current });
        segments
    }
}

fn push_text(parts: &mut Vec<Part>, text: &str) {
    if !text.is_empty() {
        parts.push(Part::Text(text.to_owned()));
    }
}

/// Parses what is between `${` and `}`.
fn parse_variable(inner: &str) -> Part {
    match inner {
        "*" => return Part::Literal('*'),
        "?" => return Part::Literal('?'),
        "$" => return Part::Literal('$'),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => (key.trim(), Some(default.trim())),
        None => (inner.trim(), None),
    };
    if key.is_empty() || key.contains(char::is_whitespace) {
        return Part::Broken;
    }
    let default = match default {
        None => None,
        // A default is quoted with single quotes; a doubled quote inside stands for one.
        Some(d) => match d.strip_prefix('\'').and_then(|d| d.strip_suffix('\'')) {
            Some(d) => Some(d.replace("''", "'")),
            None => return Part::Broken,
        },
    };
    Part::Var {
        key: key.to_lowercase(),
        default,
    }
}

/// The value a variable stands for: the key's single value, else its default. A key with
/// several values cannot be substituted (AWS: multivalued keys are not policy variables).
fn variable_value<'a>(part: &'a Part, ctx: &'a Context) -> Option<&'a str> {
    let Part::Var { key, default } = part else {
        return None;
    };
    match ctx.present(key) {
        Some([value]) => Some(value.as_str()),
        _ => default.as_deref(),
    }
}

/// A template compiled for wildcard matching (`StringLike`, resources, ARNs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    template: Template,
    /// The tokens, when they do not depend on the request.
    compiled: Option<Vec<Tok>>,
}

impl Pattern {
    pub(crate) fn new(template: Template) -> Self {
        let compiled = if template.has_variables() {
            None
        } else {
            let mut tokens = Vec::new();
            // No variables, so this cannot fail; the context is never read.
            template
                .tokens_into(&Context::new(), &mut tokens)
                .then_some(tokens)
        };
        Self { template, compiled }
    }

    pub(crate) fn template(&self) -> &Template {
        &self.template
    }

    /// Whether `text` matches; a pattern whose variables cannot be resolved matches nothing.
    pub(crate) fn matches(&self, text: &str, ctx: &Context) -> bool {
        if let Some(tokens) = &self.compiled {
            return glob(tokens, text, false);
        }
        let mut tokens = Vec::new();
        self.template.tokens_into(ctx, &mut tokens) && glob(&tokens, text, false)
    }
}

/// An ARN pattern, matched segment by segment (`arn:partition:service:region:account:resource`):
/// a wildcard in the first five segments never crosses a `:`, while one in the last segment
/// may span `/` and `:`. A pattern with fewer than six segments (`*`, `arn:aws:sqs:*`) has its
/// last segment matched against the rest of the ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ArnPattern {
    // INVARIANT: one to six segments.
    segments: Vec<Pattern>,
}

impl ArnPattern {
    pub(crate) fn new(template: Template) -> Self {
        Self {
            segments: template.split_arn().into_iter().map(Pattern::new).collect(),
        }
    }

    /// The segments: six for a full ARN pattern.
    pub(crate) fn segments(&self) -> &[Pattern] {
        &self.segments
    }

    pub(crate) fn matches(&self, arn: &str, ctx: &Context) -> bool {
        let mut fields = arn.splitn(self.segments.len(), ':');
        self.segments.iter().all(|segment| {
            fields
                .next()
                .is_some_and(|field| segment.matches(field, ctx))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(p: &str) -> Vec<Tok> {
        let mut out = Vec::new();
        wildcard_tokens(p, &mut out);
        out
    }

    fn g(p: &str, t: &str) -> bool {
        glob(&toks(p), t, false)
    }

    #[test]
    fn glob_wildcards() {
        assert!(g("*", ""));
        assert!(g("*", "anything/at:all"));
        assert!(g("", ""));
        assert!(!g("", "x"));
        assert!(g("a?c", "abc"));
        assert!(!g("a?c", "ac"));
        assert!(g("a*c", "ac"));
        assert!(g("a*c", "abbbc"));
        assert!(!g("a*c", "abbbd"));
        assert!(g("*b*", "abc"));
        assert!(g("a*b*c", "axxbyyc"));
        assert!(!g("a*b*c", "axxcyyb"));
        assert!(g("**", "x"));
        assert!(g("?*", "x"));
        assert!(!g("?*", ""));
        assert!(g("日*", "日本"));
        assert!(!g("Abc", "abc"));
        assert!(glob(&toks("s3:get*"), "s3:GetObject", true));
    }

    #[test]
    fn variables_substitute_from_the_context() {
        let mut ctx = Context::new();
        ctx.insert("aws:username", "alice");
        let t = Template::parse("home/${aws:UserName}/x", true);
        assert!(t.has_variables());
        assert_eq!(t.resolve(&ctx).as_deref(), Some("home/alice/x"));
        assert_eq!(t.resolve(&Context::new()), None);

        let d = Template::parse("${aws:PrincipalTag/team, 'shared'}", true);
        assert_eq!(d.resolve(&Context::new()).as_deref(), Some("shared"));
        assert_eq!(d.resolve(&ctx).as_deref(), Some("shared"));
        let q = Template::parse("${a:b, 'it''s'}", true);
        assert_eq!(q.resolve(&Context::new()).as_deref(), Some("it's"));

        // Version 2008-10-17: literal text.
        let lit = Template::parse("home/${aws:username}", false);
        assert!(!lit.has_variables());
        assert_eq!(lit.resolve(&ctx).as_deref(), Some("home/${aws:username}"));

        // Unclosed is literal; malformed never resolves.
        assert_eq!(
            Template::parse("a${b", true).resolve(&ctx).as_deref(),
            Some("a${b")
        );
        assert_eq!(Template::parse("${}", true).resolve(&ctx), None);
        assert_eq!(Template::parse("${a b}", true).resolve(&ctx), None);
        assert_eq!(
            Template::parse("${a:b, nodefault}", true).resolve(&ctx),
            None
        );

        // Multivalued keys are not substituted.
        let mut multi = Context::new();
        multi.insert_many("aws:TagKeys", vec!["a".into(), "b".into()]);
        assert_eq!(
            Template::parse("${aws:TagKeys}", true).resolve(&multi),
            None
        );
    }

    #[test]
    fn escapes_are_literal_in_patterns() {
        let ctx = Context::new();
        let p = Pattern::new(Template::parse("a${*}b${?}${$}", true));
        assert!(p.matches("a*b?$", &ctx));
        assert!(!p.matches("axxb?$", &ctx));
        let star = Pattern::new(Template::parse("a*b", true));
        assert!(star.matches("axxb", &ctx));
        assert_eq!(
            Template::parse("${*}", true).resolve(&ctx).as_deref(),
            Some("*")
        );
    }

    #[test]
    fn substituted_values_are_literal_in_patterns() {
        let mut ctx = Context::new();
        ctx.insert("k:v", "a*");
        let p = Pattern::new(Template::parse("${k:v}/*", true));
        assert!(p.matches("a*/x", &ctx));
        assert!(!p.matches("ab/x", &ctx));
    }

    #[test]
    fn arn_segments() {
        let ctx = Context::new();
        let arn = |p: &str| ArnPattern::new(Template::parse(p, true));
        let bucket = arn("arn:aws:s3:::bucket/*/test/*");
        assert_eq!(bucket.segments().len(), 6);
        assert!(bucket.matches("arn:aws:s3:::bucket/a/b/test/c", &ctx));
        assert!(!bucket.matches("arn:aws:s3:::bucket/a/b/prod/c", &ctx));
        // `*` in the resource segment spans `/` and `:`.
        assert!(arn("arn:aws:s3:::b/*").matches("arn:aws:s3:::b/x:y/z", &ctx));
        // `*` in the first five segments does not cross `:`.
        assert!(!arn("arn:aws:s3:*:bucket").matches("arn:aws:s3:::bucket", &ctx));
        assert!(
            arn("arn:aws:sqs:*:111122223333:q")
                .matches("arn:aws:sqs:us-east-1:111122223333:q", &ctx)
        );
        assert!(
            !arn("arn:aws:sqs:*:111122223333:q")
                .matches("arn:aws:sqs:us-east-1:444455556666:q", &ctx)
        );
        assert!(!arn("arn:aws:s3:::b").matches("arn:aws:s3::b", &ctx));
        // A colon inside a variable does not split segments.
        let mut vars = Context::new();
        vars.insert("x:acct", "111122223333");
        let v = arn("arn:aws:iam::${x:Acct}:user/*");
        assert_eq!(v.segments().len(), 6);
        assert!(v.matches("arn:aws:iam::111122223333:user/bob", &vars));
        assert!(!v.matches("arn:aws:iam::111122223333:user/bob", &ctx));
        // Fewer than six segments: the last one matches the rest of the ARN.
        assert!(arn("*").matches("arn:aws:s3:::b", &ctx));
        assert_eq!(arn("arn:*").segments().len(), 2);
        assert!(arn("arn:aws:sqs:*").matches("arn:aws:sqs:us-east-1:111122223333:q", &ctx));
        assert!(!arn("arn:aws:sqs:*").matches("arn:aws:sns:us-east-1:111122223333:t", &ctx));
        assert!(!arn("arn:aws:s3:*:bucket").matches("arn:aws:s3:::bucket", &ctx));
        assert!(!arn("arn:aws:s3:::b").matches("arn:aws", &ctx));
    }
}
