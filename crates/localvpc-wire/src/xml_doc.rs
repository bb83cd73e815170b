//! Reading XML request bodies (Route 53's REST-XML protocol) into a small element tree.
//!
//! Request documents are a few kilobytes at most, so a tree is simpler to decode from than
//! a streaming reader. Namespaces are ignored (elements are matched by local name), as the
//! AWS services themselves accept any prefix.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// One element: its local name, its direct text (unescaped, concatenated) and children.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`, in document order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child named `name`.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

/// Why a body is not a well-formed XML document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlError(pub String);

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Elements nested deeper than this are refused (no request shape comes close).
const MAX_DEPTH: usize = 32;

/// Parses a whole document and returns its root element.
pub fn parse_document(input: &[u8]) -> Result<Element, XmlError> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            XmlError(format!(
                "malformed XML at byte {}: {e}",
                reader.buffer_position()
            ))
        })?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(XmlError("content after the root element".to_owned()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError("elements nested too deeply".to_owned()));
                }
                stack.push(Element {
                    name: local_name(start.local_name().as_ref())?,
                    ..Element::default()
                });
            }
            Event::Empty(start) => {
                let element = Element {
                    name: local_name(start.local_name().as_ref())?,
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None if root.is_none() => root = Some(element),
                    None => return Err(XmlError("content after the root element".to_owned())),
                }
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| XmlError("unexpected closing tag".to_owned()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::Text(text) => {
                let decoded = text
                    .xml_content()
                    .map_err(|e| XmlError(format!("malformed text: {e}")))?;
                push_text(&mut stack, &decoded)?;
            }
            Event::CData(data) => {
                let raw = String::from_utf8(data.into_inner().into_owned())
                    .map_err(|_| XmlError("CDATA is not UTF-8".to_owned()))?;
                push_text(&mut stack, &raw)?;
            }
            Event::GeneralRef(reference) => {
                let name = String::from_utf8_lossy(reference.as_ref()).into_owned();
                let resolved = resolve_reference(&name)
                    .ok_or_else(|| XmlError(format!("unknown entity &{name};")))?;
                push_text(&mut stack, &resolved)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(XmlError("unexpected end of document".to_owned()));
    }
    root.ok_or_else(|| XmlError("the document has no root element".to_owned()))
}

fn local_name(raw: &[u8]) -> Result<String, XmlError> {
    String::from_utf8(raw.to_vec()).map_err(|_| XmlError("element name is not UTF-8".to_owned()))
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(element) => {
            element.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(XmlError("text outside the root element".to_owned())),
    }
}

/// The five predefined entities and character references.
fn resolve_reference(name: &str) -> Option<String> {
    let named = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    };
    if let Some(c) = named {
        return Some(c.to_string());
    }
    let code = if let Some(hex) = name.strip_prefix("#x") {
        u32::from_str_radix(hex, 16).ok()?
    } else {
        name.strip_prefix('#')?.parse().ok()?
    };
    char::from_u32(code).map(|c| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_elements_and_text() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
  <Name>example.com</Name>
  <VPC><VPCRegion>ap-northeast-1</VPCRegion><VPCId>vpc-1</VPCId></VPC>
  <HostedZoneConfig><Comment>a &amp; b &#65;</Comment><PrivateZone/></HostedZoneConfig>
</CreateHostedZoneRequest>"#;
        let root = parse_document(doc).unwrap();
        assert_eq!(root.name, "CreateHostedZoneRequest");
        assert_eq!(root.text_of("Name"), Some("example.com"));
        assert_eq!(root.child("VPC").unwrap().text_of("VPCId"), Some("vpc-1"));
        let config = root.child("HostedZoneConfig").unwrap();
        assert_eq!(config.text_of("Comment"), Some("a & b A"));
        assert_eq!(config.text_of("PrivateZone"), Some(""));
    }

    #[test]
    fn refuses_malformed_documents() {
        assert!(parse_document(b"<a><b></a>").is_err());
        assert!(parse_document(b"<a>").is_err());
        assert!(parse_document(b"").is_err());
        assert!(parse_document(b"<a/><b/>").is_err());
        assert!(parse_document(b"not xml").is_err());
    }
}
