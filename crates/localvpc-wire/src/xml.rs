//! A minimal XML writer and the EC2 query-protocol envelopes.

use std::fmt::Write as _;

/// EC2's response namespace (with the trailing slash real responses carry, docs/aws-semantics.md §10.1).
pub const EC2_NAMESPACE: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

/// Appends escaped text and elements to a buffer. Element names are trusted constants.
#[derive(Debug, Default)]
pub struct XmlWriter {
    buf: String,
}

impl XmlWriter {
    pub fn new() -> Self {
        Self {
            buf: String::with_capacity(512),
        }
    }

    pub fn open(&mut self, tag: &str) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(tag);
        self.buf.push('>');
        self
    }

    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push('>');
        self
    }

    /// `<tag>text</tag>` with the text escaped.
    pub fn leaf(&mut self, tag: &str, text: &str) -> &mut Self {
        self.open(tag);
        escape_into(&mut self.buf, text);
        self.close(tag)
    }

    /// Escaped character data at the current position (a bare list item's value).
    pub fn text(&mut self, text: &str) -> &mut Self {
        escape_into(&mut self.buf, text);
        self
    }

    pub fn leaf_opt(&mut self, tag: &str, text: Option<&str>) -> &mut Self {
        if let Some(text) = text {
            self.leaf(tag, text);
        }
        self
    }

    pub fn bool(&mut self, tag: &str, value: bool) -> &mut Self {
        self.leaf(tag, if value { "true" } else { "false" })
    }

    pub fn num(&mut self, tag: &str, value: impl std::fmt::Display) -> &mut Self {
        self.open(tag);
        let _ = write!(self.buf, "{value}");
        self.close(tag)
    }

    /// `<tag><item>…</item>…</tag>`, each item written by `each`; `<tag/>` when empty.
    pub fn list<T>(
        &mut self,
        tag: &str,
        items: impl IntoIterator<Item = T>,
        each: impl FnMut(&mut Self, T),
    ) -> &mut Self {
        self.wrapped(tag, "item", items, each)
    }

    /// `<tag><member>…</member>…</tag>` (the query protocol's list wrapping, ELBv2/STS);
    /// `<tag/>` when empty.
    pub fn members<T>(
        &mut self,
        tag: &str,
        items: impl IntoIterator<Item = T>,
        each: impl FnMut(&mut Self, T),
    ) -> &mut Self {
        self.wrapped(tag, "member", items, each)
    }

    /// `<tag><item_tag>…</item_tag>…</tag>` (REST-XML lists name their items, e.g.
    /// Route 53's `<HostedZones><HostedZone>`); `<tag/>` when empty.
    pub fn wrapped<T>(
        &mut self,
        tag: &str,
        item_tag: &str,
        items: impl IntoIterator<Item = T>,
        mut each: impl FnMut(&mut Self, T),
    ) -> &mut Self {
        let mark = self.buf.len();
        self.open(tag);
        let mut any = false;
        for item in items {
            any = true;
            self.open(item_tag);
            each(self, item);
            self.close(item_tag);
        }
        if any {
            self.close(tag);
        } else {
            self.buf.truncate(mark);
            let _ = write!(self.buf, "<{tag}/>");
        }
        self
    }

    /// `<tag>…</tag>` around whatever `body` writes.
    pub fn node(&mut self, tag: &str, body: impl FnOnce(&mut Self)) -> &mut Self {
        self.open(tag);
        body(self);
        self.close(tag)
    }

    pub fn finish(self) -> String {
        self.buf
    }
}

fn escape_into(buf: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => buf.push_str("&lt;"),
            '>' => buf.push_str("&gt;"),
            '&' => buf.push_str("&amp;"),
            '"' => buf.push_str("&quot;"),
            '\'' => buf.push_str("&apos;"),
            c => buf.push(c),
        }
    }
}

/// `<?xml …?><{Action}Response xmlns=…><requestId>…</requestId>{body}</{Action}Response>`.
pub fn ec2_response(action: &str, request_id: &str, body: impl FnOnce(&mut XmlWriter)) -> String {
    let mut w = XmlWriter::new();
    let _ = write!(
        w.buf,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"{EC2_NAMESPACE}\">"
    );
    w.leaf("requestId", request_id);
    body(&mut w);
    let _ = write!(w.buf, "</{action}Response>");
    w.finish()
}

/// The query protocol's success envelope (ELBv2, STS): `<{Action}Response xmlns=…>
/// <{Action}Result>{body}</{Action}Result><ResponseMetadata><RequestId/></ResponseMetadata>`.
pub fn query_response(
    namespace: &str,
    action: &str,
    request_id: &str,
    body: impl FnOnce(&mut XmlWriter),
) -> String {
    let mut w = XmlWriter::new();
    let _ = write!(
        w.buf,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"{namespace}\">"
    );
    w.open(&format!("{action}Result"));
    body(&mut w);
    w.close(&format!("{action}Result"));
    w.node("ResponseMetadata", |w| {
        w.leaf("RequestId", request_id);
    });
    let _ = write!(w.buf, "</{action}Response>");
    w.finish()
}

/// The EC2 error envelope: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`.
pub fn ec2_error(code: &str, message: &str, request_id: &str) -> String {
    let mut w = XmlWriter::new();
    w.buf
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w.node("Response", |w| {
        w.node("Errors", |w| {
            w.node("Error", |w| {
                w.leaf("Code", code).leaf("Message", message);
            });
        });
        w.leaf("RequestID", request_id);
    });
    w.finish()
}

/// The query-protocol error envelope of IAM/STS/ELBv2-style services:
/// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
pub fn query_error(sender_fault: bool, code: &str, message: &str, request_id: &str) -> String {
    let mut w = XmlWriter::new();
    w.buf
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w.node("ErrorResponse", |w| {
        w.node("Error", |w| {
            w.leaf("Type", if sender_fault { "Sender" } else { "Receiver" })
                .leaf("Code", code)
                .leaf("Message", message);
        });
        w.leaf("RequestId", request_id);
    });
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelope_matches_the_smithy_vector() {
        let body = ec2_error("InvalidGreeting", "Hi", "foo-id");
        assert_eq!(
            body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>InvalidGreeting</Code>\
             <Message>Hi</Message></Error></Errors><RequestID>foo-id</RequestID></Response>"
        );
    }

    #[test]
    fn escapes_text_and_wraps_lists() {
        let body = ec2_response("DescribeTags", "r1", |w| {
            w.list("tagSet", [("a<b", "x&y")], |w, (k, v)| {
                w.leaf("key", k).leaf("value", v);
            });
            w.list("emptySet", Vec::<u8>::new(), |_, _| {});
        });
        assert!(
            body.contains("<tagSet><item><key>a&lt;b</key><value>x&amp;y</value></item></tagSet>")
        );
        assert!(body.contains("<emptySet/>"));
        assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeTagsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r1</requestId>"));
    }
}
