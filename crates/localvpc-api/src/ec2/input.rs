//! Typed reads of EC2 query parameters, with AWS's errors for missing and bad values.

use crate::ApiError;
use localvpc_model::{ModelError, TagSpecification};
use localvpc_wire::query::QueryParams;

pub(super) struct Input<'a> {
    params: &'a QueryParams,
}

impl<'a> Input<'a> {
    pub(super) fn new(params: &'a QueryParams) -> Self {
        Self { params }
    }

    pub(super) fn opt(&self, name: &str) -> Option<&'a str> {
        self.params.get(name)
    }

    pub(super) fn required(&self, name: &str) -> Result<&'a str, ApiError> {
        self.params
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::missing(name))
    }

    pub(super) fn list(&self, name: &str) -> Vec<&'a str> {
        self.params.list(name)
    }

    /// The list `name.N`, each item read by `parse` (the first malformed one is refused).
    pub(super) fn ids<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, ModelError>,
    ) -> Result<Vec<T>, ApiError> {
        self.list(name)
            .into_iter()
            .map(|v| parse(v).map_err(ApiError::from))
            .collect()
    }

    /// `true`/`false` (any case); anything else is `InvalidParameterValue`.
    pub(super) fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.params
            .get(name)
            .map(|v| parse_bool(name, v))
            .transpose()
    }

    /// An `AttributeBooleanValue` structure: `Name.Value=true`.
    pub(super) fn attribute_bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.params.nested(name) {
            None => Ok(None),
            Some(attr) => match attr.get("Value") {
                Some(v) => parse_bool(name, v).map(Some),
                None => Err(ApiError::missing(&format!("{name}.Value"))),
            },
        }
    }

    pub(super) fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.params
            .get(name)
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| {
                    ApiError::invalid_value(format!(
                        "Invalid value '{v}' for {name}. It must be an integer."
                    ))
                })
            })
            .transpose()
    }

    /// `TagSpecification.N.ResourceType` + `TagSpecification.N.Tag.M.{Key,Value}`.
    /// Most actions name the list `TagSpecification`; some (transit gateways) name it
    /// `TagSpecifications` — the parameter check admits only the action's own spelling.
    pub(super) fn tag_specifications(&self) -> Result<Vec<TagSpecification>, ApiError> {
        let mut specs = self.params.structs("TagSpecification");
        if specs.is_empty() {
            specs = self.params.structs("TagSpecifications");
        }
        specs
            .iter()
            .map(|spec| {
                let resource_type = spec
                    .get("ResourceType")
                    .ok_or_else(|| ApiError::missing("TagSpecification.N.ResourceType"))?
                    .to_owned();
                Ok(TagSpecification {
                    resource_type,
                    tags: tags(spec, "Tag")?,
                })
            })
            .collect()
    }

    /// `Name.N.Key` / `Name.N.Value` pairs (a missing value is the empty string).
    pub(super) fn tags(&self, name: &str) -> Result<Vec<(String, String)>, ApiError> {
        tags(self.params, name)
    }

    /// `Name.N.Key` with an optional `Name.N.Value` (DeleteTags).
    pub(super) fn tag_keys(&self, name: &str) -> Result<Vec<(String, Option<String>)>, ApiError> {
        self.params
            .structs(name)
            .iter()
            .map(|t| {
                let key = t
                    .get("Key")
                    .ok_or_else(|| ApiError::missing(&format!("{name}.N.Key")))?;
                Ok((key.to_owned(), t.get("Value").map(str::to_owned)))
            })
            .collect()
    }

    pub(super) fn params(&self) -> &'a QueryParams {
        self.params
    }
}

fn parse_bool(name: &str, v: &str) -> Result<bool, ApiError> {
    if v.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if v.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(ApiError::invalid_value(format!(
            "Invalid value '{v}' for {name}. It must be true or false."
        )))
    }
}

fn tags(params: &QueryParams, name: &str) -> Result<Vec<(String, String)>, ApiError> {
    params
        .structs(name)
        .iter()
        .map(|t| {
            let key = t
                .get("Key")
                .ok_or_else(|| ApiError::missing(&format!("{name}.N.Key")))?;
            Ok((
                key.to_owned(),
                t.get("Value").unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}
