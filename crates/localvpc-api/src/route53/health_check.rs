//! Route 53 health checks: `/2013-04-01/healthcheck…` and `healthcheckcount`.

use super::{Op, Reply, document, invalid_input, parse_bool, required};
use crate::{ApiError, ApiResponse, Backend};
use localvpc_model::route53::Route53Command;
use localvpc_model::route53::health_check::{
    AlarmIdentifier, CreateHealthCheck, HealthCheck, HealthCheckConfig, HealthCheckId,
    HealthCheckType, Observation, UpdateHealthCheck,
};
use localvpc_wire::time::iso8601_millis;
use localvpc_wire::xml::XmlWriter;
use localvpc_wire::xml_doc::Element;

/// The largest page ListHealthChecks returns.
const MAX_PAGE: usize = 1000;

pub(super) fn health_check_id(raw: &str) -> Result<HealthCheckId, ApiError> {
    HealthCheckId::parse(raw).map_err(ApiError::from)
}

impl<B: Backend> Op<'_, B> {
    pub(super) async fn create_health_check(&self) -> Reply {
        let body = self.body("CreateHealthCheckRequest")?;
        let caller_reference = required(&body, "CallerReference")?;
        let config = body
            .child("HealthCheckConfig")
            .ok_or_else(|| invalid_input("The parameter HealthCheckConfig is required."))?;
        let config = parse_config(config)?;
        let check = self
            .run_health_check(Route53Command::CreateHealthCheck(CreateHealthCheck {
                caller_reference: caller_reference.to_owned(),
                config,
            }))
            .await?;
        let mut w = XmlWriter::new();
        write_health_check(&mut w, &check);
        let mut response = ApiResponse::xml(201, document("CreateHealthCheckResponse", w.finish()));
        response.headers.push((
            "location",
            format!(
                "https://route53.amazonaws.com/{}/healthcheck/{}",
                super::VERSION,
                check.id
            ),
        ));
        Ok(response)
    }

    pub(super) fn get_health_check(&self, id: &str) -> Reply {
        let id = health_check_id(id)?;
        let model = self.snapshot();
        let check = model
            .health_check(&self.ctx.scope, &id)
            .map_err(ApiError::from)?;
        self.ok("GetHealthCheckResponse", |w| write_health_check(w, check))
    }

    pub(super) fn list_health_checks(&self) -> Reply {
        let max = self.max_items("maxitems", 100, MAX_PAGE)?;
        let model = self.snapshot();
        let marker = self.query.get("marker");
        let mut checks: Vec<&HealthCheck> = model
            .health_checks_of(&self.ctx.scope.account)
            .filter(|h| marker.is_none_or(|m| h.id.as_str() >= m))
            .collect();
        let next = checks.get(max).map(|h| h.id.as_str().to_owned());
        checks.truncate(max);
        self.ok("ListHealthChecksResponse", |w| {
            w.wrapped("HealthChecks", "HealthCheck", &checks, |w, h| {
                write_health_check_fields(w, h);
            });
            w.leaf("Marker", marker.unwrap_or_default())
                .bool("IsTruncated", next.is_some())
                .leaf_opt("NextMarker", next.as_deref())
                .num("MaxItems", max);
        })
    }

    pub(super) async fn update_health_check(&self, id: &str) -> Reply {
        let id = health_check_id(id)?;
        let body = self.body("UpdateHealthCheckRequest")?;
        let update = parse_update(&body)?;
        let check = self
            .run_health_check(Route53Command::UpdateHealthCheck { id, update })
            .await?;
        self.ok("UpdateHealthCheckResponse", |w| {
            write_health_check(w, &check)
        })
    }

    pub(super) async fn delete_health_check(&self, id: &str) -> Reply {
        let id = health_check_id(id)?;
        self.run(Route53Command::DeleteHealthCheck(id)).await?;
        self.ok("DeleteHealthCheckResponse", |_| {})
    }

    pub(super) fn health_check_count(&self) -> Reply {
        let count = self
            .snapshot()
            .health_checks_of(&self.ctx.scope.account)
            .count();
        self.ok("GetHealthCheckCountResponse", |w| {
            w.num("HealthCheckCount", count);
        })
    }

    /// GetHealthCheckStatus (`last_failure` false) and GetHealthCheckLastFailureReason
    /// (`true`: the observations of a failing check, none for a healthy one).
    pub(super) fn health_check_status(&self, id: &str, last_failure: bool) -> Reply {
        let id = health_check_id(id)?;
        let model = self.snapshot();
        let check = model
            .health_check(&self.ctx.scope, &id)
            .map_err(ApiError::from)?;
        let observations = if last_failure && model.health_check_is_healthy(check) {
            Vec::new()
        } else {
            model.health_check_observations(check)
        };
        let root = if last_failure {
            "GetHealthCheckLastFailureReasonResponse"
        } else {
            "GetHealthCheckStatusResponse"
        };
        self.ok(root, |w| {
            w.wrapped(
                "HealthCheckObservations",
                "HealthCheckObservation",
                &observations,
                write_observation,
            );
        })
    }

    async fn run_health_check(&self, command: Route53Command) -> Result<HealthCheck, ApiError> {
        Ok(*self.run_as::<Box<HealthCheck>>(command).await?)
    }
}

fn number(e: &Element, name: &str) -> Result<Option<u32>, ApiError> {
    e.text_of(name)
        .map(|t| {
            t.parse::<u32>().map_err(|_| {
                invalid_input(format!(
                    "Invalid XML ; cvc-datatype-valid.1.2.1: '{t}' is not a valid value for 'integer' ({name})."
                ))
            })
        })
        .transpose()
}

fn flag(e: &Element, name: &str) -> Result<Option<bool>, ApiError> {
    e.text_of(name).map(|v| parse_bool(v, name)).transpose()
}

fn text(e: &Element, name: &str) -> Option<String> {
    e.text_of(name).map(str::to_owned)
}

fn items(e: &Element, list: &str, item: &str) -> Option<Vec<String>> {
    e.child(list).map(|l| {
        l.children_named(item)
            .map(|c| c.text.trim().to_owned())
            .collect()
    })
}

fn alarm(e: &Element) -> Result<Option<AlarmIdentifier>, ApiError> {
    e.child("AlarmIdentifier")
        .map(|a| {
            Ok(AlarmIdentifier {
                region: required(a, "Region")?.to_owned(),
                name: required(a, "Name")?.to_owned(),
            })
        })
        .transpose()
}

fn parse_config(e: &Element) -> Result<HealthCheckConfig, ApiError> {
    let raw_type = required(e, "Type")?;
    let check_type = HealthCheckType::parse(raw_type).ok_or_else(|| {
        invalid_input(format!(
            "Invalid XML ; cvc-enumeration-valid: Value '{raw_type}' is not facet-valid with respect to enumeration '[HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP, CALCULATED, CLOUDWATCH_METRIC, RECOVERY_CONTROL]'."
        ))
    })?;
    Ok(HealthCheckConfig {
        check_type: Some(check_type),
        ip_address: text(e, "IPAddress"),
        port: number(e, "Port")?,
        resource_path: text(e, "ResourcePath"),
        fqdn: text(e, "FullyQualifiedDomainName"),
        search_string: text(e, "SearchString"),
        request_interval: number(e, "RequestInterval")?,
        failure_threshold: number(e, "FailureThreshold")?,
        measure_latency: flag(e, "MeasureLatency")?,
        inverted: flag(e, "Inverted")?,
        disabled: flag(e, "Disabled")?,
        health_threshold: number(e, "HealthThreshold")?,
        child_health_checks: items(e, "ChildHealthChecks", "ChildHealthCheck").unwrap_or_default(),
        enable_sni: flag(e, "EnableSNI")?,
        regions: items(e, "Regions", "Region").unwrap_or_default(),
        alarm: alarm(e)?,
        insufficient_data_health_status: text(e, "InsufficientDataHealthStatus"),
        routing_control_arn: text(e, "RoutingControlArn"),
    })
}

fn parse_update(e: &Element) -> Result<UpdateHealthCheck, ApiError> {
    let version = e
        .text_of("HealthCheckVersion")
        .map(|v| {
            v.parse::<u64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                invalid_input(format!(
                    "1 validation error detected: Value '{v}' at 'healthCheckVersion' failed to satisfy constraint: Member must have value greater than or equal to 1"
                ))
            })
        })
        .transpose()?;
    Ok(UpdateHealthCheck {
        version,
        ip_address: text(e, "IPAddress"),
        port: number(e, "Port")?,
        resource_path: text(e, "ResourcePath"),
        fqdn: text(e, "FullyQualifiedDomainName"),
        search_string: text(e, "SearchString"),
        failure_threshold: number(e, "FailureThreshold")?,
        inverted: flag(e, "Inverted")?,
        disabled: flag(e, "Disabled")?,
        health_threshold: number(e, "HealthThreshold")?,
        child_health_checks: items(e, "ChildHealthChecks", "ChildHealthCheck"),
        enable_sni: flag(e, "EnableSNI")?,
        regions: items(e, "Regions", "Region"),
        alarm: alarm(e)?,
        insufficient_data_health_status: text(e, "InsufficientDataHealthStatus"),
        reset: items(e, "ResetElements", "ResettableElementName").unwrap_or_default(),
    })
}

fn write_health_check(w: &mut XmlWriter, h: &HealthCheck) {
    w.node("HealthCheck", |w| write_health_check_fields(w, h));
}

fn write_health_check_fields(w: &mut XmlWriter, h: &HealthCheck) {
    let c = &h.config;
    w.leaf("Id", h.id.as_str())
        .leaf("CallerReference", &h.caller_reference)
        .node("HealthCheckConfig", |w| {
            w.leaf_opt("IPAddress", c.ip_address.as_deref());
            if let Some(port) = c.port {
                w.num("Port", port);
            }
            w.leaf_opt("Type", c.check_type.map(HealthCheckType::as_str))
                .leaf_opt("ResourcePath", c.resource_path.as_deref())
                .leaf_opt("FullyQualifiedDomainName", c.fqdn.as_deref())
                .leaf_opt("SearchString", c.search_string.as_deref());
            if let Some(n) = c.request_interval {
                w.num("RequestInterval", n);
            }
            if let Some(n) = c.failure_threshold {
                w.num("FailureThreshold", n);
            }
            if let Some(b) = c.measure_latency {
                w.bool("MeasureLatency", b);
            }
            if let Some(b) = c.inverted {
                w.bool("Inverted", b);
            }
            if let Some(b) = c.disabled {
                w.bool("Disabled", b);
            }
            if let Some(n) = c.health_threshold {
                w.num("HealthThreshold", n);
            }
            if c.check_type == Some(HealthCheckType::Calculated) {
                w.wrapped(
                    "ChildHealthChecks",
                    "ChildHealthCheck",
                    &c.child_health_checks,
                    |w, id| {
                        w.text(id);
                    },
                );
            }
            if let Some(b) = c.enable_sni {
                w.bool("EnableSNI", b);
            }
            if !c.regions.is_empty() {
                w.wrapped("Regions", "Region", &c.regions, |w, r| {
                    w.text(r);
                });
            }
            if let Some(a) = &c.alarm {
                w.node("AlarmIdentifier", |w| {
                    w.leaf("Region", &a.region).leaf("Name", &a.name);
                });
            }
            w.leaf_opt(
                "InsufficientDataHealthStatus",
                c.insufficient_data_health_status.as_deref(),
            )
            .leaf_opt("RoutingControlArn", c.routing_control_arn.as_deref());
        })
        .num("HealthCheckVersion", h.version);
}

fn write_observation(w: &mut XmlWriter, o: &Observation) {
    w.leaf_opt("Region", o.region)
        .leaf_opt("IPAddress", o.checker_ip)
        .node("StatusReport", |w| {
            w.leaf("Status", &o.status)
                .leaf("CheckedTime", &iso8601_millis(o.checked.0));
        });
}

#[cfg(test)]
mod tests {
    use super::super::testing::{answered, call, doc, refused};
    use super::*;
    use crate::testing::{Fake, all};
    use localvpc_wire::xml_doc::parse_document;

    /// `CreateHealthCheckRequest` with `reference` and a config of `config`'s elements.
    fn create(reference: &str, config: &str) -> String {
        doc(
            "CreateHealthCheckRequest",
            &format!(
                "<CallerReference>{reference}</CallerReference>\
                 <HealthCheckConfig>{config}</HealthCheckConfig>"
            ),
        )
    }

    const TCP: &str = "<IPAddress>192.0.2.10</IPAddress><Port>443</Port><Type>TCP</Type>";

    fn new_check(b: &Fake, reference: &str) -> String {
        let body = answered(b, 201, "POST", "healthcheck", &create(reference, TCP));
        all(&body, "Id").remove(0)
    }

    #[test]
    fn create_answers_201_with_the_check_and_its_location() {
        let b = Fake::default();
        let r = call(&b, "POST", "healthcheck", &create("r1", TCP));
        assert_eq!(r.status, 201, "{}", r.body);
        let id = all(&r.body, "Id").remove(0);
        assert_eq!(
            r.headers,
            [(
                "location",
                format!("https://route53.amazonaws.com/2013-04-01/healthcheck/{id}")
            )]
        );
        assert_eq!(all(&r.body, "HealthCheckVersion"), ["1"]);
        let got = answered(&b, 200, "GET", &format!("healthcheck/{id}"), "");
        assert_eq!(all(&got, "IPAddress"), ["192.0.2.10"]);
        assert_eq!(all(&got, "Port"), ["443"]);
        assert_eq!(all(&got, "Type"), ["TCP"]);
        assert_eq!(all(&got, "CallerReference"), ["r1"]);
        // The same reference and config again is the same check; another config is a conflict.
        let again = answered(&b, 201, "POST", "healthcheck", &create("r1", TCP));
        assert_eq!(all(&again, "Id"), [id.as_str()]);
        let other = create("r1", &TCP.replace("443", "80"));
        assert_eq!(
            refused(&b, "POST", "healthcheck", &other),
            (409, "HealthCheckAlreadyExists".to_owned())
        );
        let count = answered(&b, 200, "GET", "healthcheckcount", "");
        assert_eq!(all(&count, "HealthCheckCount"), ["1"]);
    }

    #[test]
    fn create_refuses_bad_input_as_invalid_input() {
        let b = Fake::default();
        for body in [
            doc(
                "CreateHealthCheckRequest",
                "<CallerReference>r</CallerReference>",
            ),
            doc(
                "CreateHealthCheckRequest",
                &format!("<HealthCheckConfig>{TCP}</HealthCheckConfig>"),
            ),
            create("r", "<Port>80</Port>"),
            create("r", "<Type>PING</Type>"),
            create("r", &TCP.replace("443", "70000")),
            create("r", &format!("{TCP}<RequestInterval>15</RequestInterval>")),
            create(
                "r",
                &format!("{TCP}<FailureThreshold>11</FailureThreshold>"),
            ),
            create("r", &format!("{TCP}<Inverted>yes</Inverted>")),
            doc("CreateHealthCheck", "<CallerReference>r</CallerReference>"),
        ] {
            assert_eq!(
                refused(&b, "POST", "healthcheck", &body),
                (400, "InvalidInput".to_owned()),
                "{body}"
            );
        }
        let count = answered(&b, 200, "GET", "healthcheckcount", "");
        assert_eq!(all(&count, "HealthCheckCount"), ["0"]);
    }

    #[test]
    fn update_bumps_the_version_and_checks_it() {
        let b = Fake::default();
        let id = new_check(&b, "r1");
        let path = format!("healthcheck/{id}");
        let update = |inner: &str| doc("UpdateHealthCheckRequest", inner);
        let body = answered(
            &b,
            200,
            "POST",
            &path,
            &update("<HealthCheckVersion>1</HealthCheckVersion><Port>8443</Port>"),
        );
        assert_eq!(all(&body, "HealthCheckVersion"), ["2"]);
        assert_eq!(all(&body, "Port"), ["8443"]);
        assert_eq!(all(&answered(&b, 200, "GET", &path, ""), "Port"), ["8443"]);
        assert_eq!(
            refused(
                &b,
                "POST",
                &path,
                &update("<HealthCheckVersion>1</HealthCheckVersion>")
            ),
            (409, "HealthCheckVersionMismatch".to_owned())
        );
        for bad in [
            "<HealthCheckVersion>0</HealthCheckVersion>",
            "<Port>high</Port>",
            "<ResetElements><ResettableElementName>Port</ResettableElementName></ResetElements>",
        ] {
            assert_eq!(
                refused(&b, "POST", &path, &update(bad)),
                (400, "InvalidInput".to_owned()),
                "{bad}"
            );
        }
        let missing = "healthcheck/00000000-0000-0000-0000-000000000000";
        assert_eq!(
            refused(&b, "POST", missing, &update("<Port>1</Port>")),
            (404, "NoSuchHealthCheck".to_owned())
        );
    }

    #[test]
    fn list_pages_and_delete_forgets() {
        let b = Fake::default();
        let mut ids = [new_check(&b, "a"), new_check(&b, "b")];
        ids.sort();
        let first = answered(&b, 200, "GET", "healthcheck?maxitems=1", "");
        assert_eq!(all(&first, "Id"), [ids[0].as_str()]);
        assert_eq!(all(&first, "IsTruncated"), ["true"]);
        assert_eq!(all(&first, "NextMarker"), [ids[1].as_str()]);
        let q = format!("healthcheck?maxitems=1&marker={}", ids[1]);
        let second = answered(&b, 200, "GET", &q, "");
        assert_eq!(all(&second, "Id"), [ids[1].as_str()]);
        assert_eq!(all(&second, "IsTruncated"), ["false"]);
        assert_eq!(
            refused(&b, "GET", "healthcheck?maxitems=-1", ""),
            (400, "InvalidInput".to_owned())
        );
        answered(&b, 200, "DELETE", &format!("healthcheck/{}", ids[0]), "");
        let left = answered(&b, 200, "GET", "healthcheck", "");
        assert_eq!(all(&left, "Id"), [ids[1].as_str()]);
        assert_eq!(
            refused(&b, "GET", &format!("healthcheck/{}", ids[0]), ""),
            (404, "NoSuchHealthCheck".to_owned())
        );
        assert_eq!(
            refused(&b, "DELETE", &format!("healthcheck/{}", ids[0]), ""),
            (404, "NoSuchHealthCheck".to_owned())
        );
        let long = "x".repeat(65);
        assert_eq!(
            refused(&b, "GET", &format!("healthcheck/{long}"), ""),
            (400, "InvalidInput".to_owned())
        );
    }

    #[test]
    fn status_and_last_failure_reason_answer_observations() {
        let b = Fake::default();
        let id = new_check(&b, "r1");
        let status = answered(&b, 200, "GET", &format!("healthcheck/{id}/status"), "");
        assert!(status.contains("<GetHealthCheckStatusResponse"), "{status}");
        assert!(
            !all(&status, "HealthCheckObservation").is_empty(),
            "{status}"
        );
        let reason = answered(
            &b,
            200,
            "GET",
            &format!("healthcheck/{id}/lastfailurereason"),
            "",
        );
        assert!(
            reason.contains("<GetHealthCheckLastFailureReasonResponse"),
            "{reason}"
        );
        let missing = "healthcheck/00000000-0000-0000-0000-000000000000/status";
        assert_eq!(
            refused(&b, "GET", missing, ""),
            (404, "NoSuchHealthCheck".to_owned())
        );
    }

    #[test]
    fn health_check_tags_are_changed_and_listed() {
        let b = Fake::default();
        let id = new_check(&b, "r1");
        let path = format!("tags/healthcheck/{id}");
        let add = doc(
            "ChangeTagsForResourceRequest",
            "<AddTags><Tag><Key>Name</Key><Value>web</Value></Tag></AddTags>",
        );
        answered(&b, 200, "POST", &path, &add);
        let listed = answered(&b, 200, "GET", &path, "");
        assert_eq!(all(&listed, "ResourceType"), ["healthcheck"]);
        assert_eq!(all(&listed, "Value"), ["web"]);
        let missing = "tags/healthcheck/00000000-0000-0000-0000-000000000000";
        assert_eq!(
            refused(&b, "POST", missing, &add),
            (404, "NoSuchHealthCheck".to_owned())
        );
    }

    fn element(xml: &str) -> Element {
        parse_document(xml.as_bytes()).unwrap()
    }

    #[test]
    fn config_is_read_with_its_lists() {
        let e = element(
            "<HealthCheckConfig><Type>CALCULATED</Type><HealthThreshold>2</HealthThreshold>\
             <ChildHealthChecks><ChildHealthCheck>a</ChildHealthCheck><ChildHealthCheck>b</ChildHealthCheck>\
             </ChildHealthChecks><Inverted>true</Inverted></HealthCheckConfig>",
        );
        let c = parse_config(&e).unwrap();
        assert_eq!(c.check_type, Some(HealthCheckType::Calculated));
        assert_eq!(c.health_threshold, Some(2));
        assert_eq!(c.child_health_checks, ["a", "b"]);
        assert_eq!((c.inverted, c.disabled), (Some(true), None));
        let bad_type = element("<HealthCheckConfig><Type>PING</Type></HealthCheckConfig>");
        assert_eq!(parse_config(&bad_type).unwrap_err().code, "InvalidInput");
        let bad_port =
            element("<HealthCheckConfig><Type>TCP</Type><Port>http</Port></HealthCheckConfig>");
        assert_eq!(parse_config(&bad_port).unwrap_err().code, "InvalidInput");
    }

    #[test]
    fn update_tells_absent_lists_from_emptied_ones() {
        let e = element(
            "<UpdateHealthCheckRequest><HealthCheckVersion>3</HealthCheckVersion><Regions/>\
             <ResetElements><ResettableElementName>ResourcePath</ResettableElementName></ResetElements>\
             </UpdateHealthCheckRequest>",
        );
        let u = parse_update(&e).unwrap();
        assert_eq!(u.version, Some(3));
        assert_eq!(u.regions, Some(Vec::new()));
        assert_eq!(u.child_health_checks, None);
        assert_eq!(u.reset, ["ResourcePath"]);
        let zero = element(
            "<UpdateHealthCheckRequest><HealthCheckVersion>0</HealthCheckVersion></UpdateHealthCheckRequest>",
        );
        assert_eq!(parse_update(&zero).unwrap_err().code, "InvalidInput");
    }
}
