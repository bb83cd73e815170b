//! The pipeline every EC2 Describe operation shares: read the ids, the filters and the page
//! request; answer DryRun once all of them are valid; choose the items (each id named must
//! exist in the caller's scope, else its `…NotFound`, as AWS answers); keep those the
//! filters match; cut one page; write `<xSet>` and `<nextToken>`.
//!
//! Each reading step validates when it is called, so the order of a handler's calls is its
//! order of validation (which error wins when several parameters are wrong). A handler that
//! reads parameters of its own reads them between the steps.
//!
//! ```text
//! op.describe("VpcId", VpcId::parse)?      ids (malformed → InvalidVpcID.Malformed)
//!     .filters(FILTERS, true)?            Filter.N (unknown name → InvalidParameterValue)
//!     .filter_ids("vpc-id", VpcId::parse)? optional: ids among a filter's values
//!     .paged(&DESCRIBE_BOUNDS)?           MaxResults (not an integer → InvalidParameterValue)
//!     .answer("vpcSet", values, write_vpc) DryRun, ids → items, filters, page, XML
//! ```
//!
//! [`Describe::of`] lists a stored kind with variations ([`Listing`]); results that are not
//! stored resources (regions, tags, rules, services) use the steps one by one:
//! [`Describe::snapshot`], [`Describe::matches`], [`Describe::respond`].

use super::filter::{Bounds, Filters, paginate};
use super::{Body, Op};
use crate::{ApiError, Backend};
use localvpc_model::{Model, ModelError, Scope, Stored, Tags};
use localvpc_wire::xml::XmlWriter;
use std::sync::Arc;

/// A Describe call whose input has been read so far.
pub(super) struct Describe<'o, B, Id = ()> {
    op: &'o Op<'o, B>,
    ids: Vec<Id>,
    filters: Filters,
    /// `None` for operations AWS does not page: all items, no `nextToken`.
    page: Option<PageRequest<'o>>,
}

struct PageRequest<'o> {
    max_results: Option<i64>,
    next_token: Option<&'o str>,
    bounds: &'o Bounds,
}

impl<'o, B: Backend> Op<'o, B> {
    /// A Describe of the resources named by the list `param` (`VpcId.N`), each read by
    /// `parse` (a malformed one is refused now); none named means all of the caller's.
    pub(super) fn describe<Id>(
        &'o self,
        param: &str,
        parse: impl Fn(&str) -> Result<Id, ModelError>,
    ) -> Result<Describe<'o, B, Id>, ApiError> {
        Ok(Describe::with_ids(self, self.params.ids(param, parse)?))
    }

    /// A Describe whose operation names at most one resource (`param`, not a list).
    pub(super) fn describe_one<Id>(
        &'o self,
        param: &str,
        parse: impl Fn(&str) -> Result<Id, ModelError>,
    ) -> Result<Describe<'o, B, Id>, ApiError> {
        let ids = self.params.opt(param).map(parse).transpose()?;
        Ok(Describe::with_ids(self, ids.into_iter().collect()))
    }
}

impl<'o, B: Backend> Describe<'o, B> {
    /// A Describe (or Get…) whose items are not named by resource ids.
    pub(super) fn new(op: &'o Op<'o, B>) -> Self {
        Self::with_ids(op, Vec::new())
    }
}

impl<'o, B: Backend, Id> Describe<'o, B, Id> {
    /// A Describe of the resources `ids` names (empty: all of the caller's).
    pub(super) fn with_ids(op: &'o Op<'o, B>, ids: Vec<Id>) -> Self {
        Self {
            op,
            ids,
            filters: Filters::default(),
            page: None,
        }
    }

    /// Reads `Filter.N`: names outside `known` are refused, as are `tag:…`, `tag-key` and
    /// `tag-value` unless `tags`.
    pub(super) fn filters(mut self, known: &[&str], tags: bool) -> Result<Self, ApiError> {
        self.filters = Filters::parse(self.op.params.params(), known, tags)?;
        Ok(self)
    }

    /// Refuses a malformed id among the values of the filter `name`, with the id's
    /// `…Malformed` (a `group-id` of `bogus` is `InvalidGroupId.Malformed`, as AWS answers).
    /// A value with a wildcard is a pattern, not an id, and is left to match.
    pub(super) fn filter_ids<T>(
        self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, ModelError>,
    ) -> Result<Self, ApiError> {
        for value in self.filters.values_of(name) {
            if !value.contains(['*', '?']) {
                parse(value)?;
            }
        }
        Ok(self)
    }

    /// Reads `MaxResults` (an integer; its `bounds` are checked with the page, after DryRun)
    /// and `NextToken`: the answer is one page and its `nextToken`.
    pub(super) fn paged(mut self, bounds: &'o Bounds) -> Result<Self, ApiError> {
        let p = &self.op.params;
        self.page = Some(PageRequest {
            max_results: p.int("MaxResults")?,
            next_token: p.opt("NextToken"),
            bounds,
        });
        Ok(self)
    }

    /// `MaxResults` above `max` reads as `max` instead of being refused, as some operations
    /// answer (DescribeVpcEndpoints).
    pub(super) fn capped(mut self, max: i64) -> Self {
        if let Some(page) = &mut self.page {
            page.max_results = page.max_results.map(|m| m.min(max));
        }
        self
    }

    /// The ids named, in request order.
    pub(super) fn ids(&self) -> &[Id] {
        &self.ids
    }

    /// `MaxResults`, if given.
    pub(super) fn max_results(&self) -> Option<i64> {
        self.page.as_ref().and_then(|p| p.max_results)
    }

    /// Answers DryRun (the input is valid by now), then the snapshot to answer from.
    pub(super) fn snapshot(&self) -> Result<Arc<Model>, ApiError> {
        self.op.check_dry_run()?;
        Ok(self.op.snapshot())
    }

    /// Whether an item passes the filters: `tags` for the tag filters, `values(name)` for
    /// the others.
    pub(super) fn matches(
        &self,
        tags: Option<&Tags>,
        values: impl FnMut(&str) -> Vec<String>,
    ) -> bool {
        self.filters.matches(tags, values)
    }

    /// The answer: `items` (chosen, filtered, in a stable order) as `<set>`, one `<item>`
    /// each, cut to one page when the operation is paged (`key` orders pages and names the
    /// next one).
    pub(super) fn respond<X>(
        self,
        set: &str,
        items: Vec<X>,
        key: impl Fn(&X) -> &str,
        write: impl FnMut(&mut XmlWriter, X),
    ) -> Body {
        self.respond_with(items, key, |w, page| {
            w.list(set, page, write);
        })
    }

    /// As [`Describe::respond`], with `write` writing the whole page.
    pub(super) fn respond_with<X>(
        self,
        items: Vec<X>,
        key: impl Fn(&X) -> &str,
        write: impl FnOnce(&mut XmlWriter, Vec<X>),
    ) -> Body {
        let (page, token) = match &self.page {
            Some(p) => paginate(items, key, p.max_results, p.next_token, p.bounds)?,
            None => (items, None),
        };
        self.op.respond(|w| {
            write(w, page);
            w.leaf_opt("nextToken", token.as_deref());
        })
    }

    /// Lists the stored resources of kind `T`, with variations (see [`Listing`]).
    pub(super) fn of<T: Stored<Id = Id>>(self) -> Listing<'o, B, T> {
        Listing {
            describe: self,
            in_id_order: false,
            visible: None,
            tags: None,
            keep: None,
        }
    }

    /// The common answer: the stored resources of kind `T` named (in request order) or all
    /// of the caller's (in id order), those the filters keep (`values(item, name)` gives an
    /// item's values for a filter), one page of them written as `<set>` by `write`.
    pub(super) fn answer<T: Stored<Id = Id>>(
        self,
        set: &str,
        values: impl Fn(&T, &str) -> Vec<String>,
        write: impl Fn(&mut XmlWriter, &T),
    ) -> Body {
        self.of::<T>().answer(set, values, write)
    }

    /// As [`Describe::answer`], for values and XML that read other resources of the model.
    pub(super) fn answer_with_model<T: Stored<Id = Id>>(
        self,
        set: &str,
        values: impl Fn(&Model, &T, &str) -> Vec<String>,
        write: impl Fn(&mut XmlWriter, &Model, &T),
    ) -> Body {
        self.of::<T>().answer_with_model(set, values, write)
    }
}

type Predicate<'o, T> = Box<dyn Fn(&T) -> bool + 'o>;
type TagsOf<'o, T> = Box<dyn Fn(&T) -> &Tags + 'o>;

/// A Describe of one stored kind. By default: the ids named, in request order (each must be
/// in the caller's scope), else all of the caller's in id order; filters on the resource's
/// own tags.
pub(super) struct Listing<'o, B, T: Stored> {
    describe: Describe<'o, B, T::Id>,
    in_id_order: bool,
    visible: Option<Predicate<'o, T>>,
    tags: Option<TagsOf<'o, T>>,
    keep: Option<Predicate<'o, T>>,
}

impl<'o, B: Backend, T: Stored> Listing<'o, B, T> {
    /// The ids named are checked in request order, then listed in id order, once each
    /// (the operations that answer this way: transit gateways, their attachments and route
    /// tables).
    pub(super) fn in_id_order(mut self) -> Self {
        self.in_id_order = true;
        self
    }

    /// Which resources the caller sees, when that is not "those of its scope" (peering
    /// connections: both sides); the others are not found.
    pub(super) fn visible(mut self, visible: impl Fn(&T) -> bool + 'o) -> Self {
        self.visible = Some(Box::new(visible));
        self
    }

    /// The tags the tag filters read, when not the resource's own.
    pub(super) fn tags(mut self, tags: impl Fn(&T) -> &Tags + 'o) -> Self {
        self.tags = Some(Box::new(tags));
        self
    }

    /// A condition of the operation's own parameters besides the filters; a resource named
    /// that fails it is left out, not refused.
    pub(super) fn keep(mut self, keep: impl Fn(&T) -> bool + 'o) -> Self {
        self.keep = Some(Box::new(keep));
        self
    }

    /// Answers with one `<item>` per resource of the page, as `<set>`.
    pub(super) fn answer(
        self,
        set: &str,
        values: impl Fn(&T, &str) -> Vec<String>,
        write: impl Fn(&mut XmlWriter, &T),
    ) -> Body {
        self.answer_with_model(set, |_, r, name| values(r, name), |w, _, r| write(w, r))
    }

    /// As [`Listing::answer`], for values and XML that read other resources of the model.
    pub(super) fn answer_with_model(
        self,
        set: &str,
        values: impl Fn(&Model, &T, &str) -> Vec<String>,
        write: impl Fn(&mut XmlWriter, &Model, &T),
    ) -> Body {
        self.answer_page(values, |w, model, page| {
            w.list(set, page, |w, r| write(w, model, r));
        })
    }

    /// Answers with `write` writing the whole page (e.g. instances grouped in reservations).
    pub(super) fn answer_page(
        self,
        values: impl Fn(&Model, &T, &str) -> Vec<String>,
        write: impl FnOnce(&mut XmlWriter, &Model, Vec<&T>),
    ) -> Body {
        let model = self.describe.snapshot()?;
        let scope = &self.describe.op.ctx.scope;
        let matching: Vec<&T> = self
            .chosen(&model, scope)?
            .into_iter()
            .filter(|r| self.keep.as_ref().is_none_or(|keep| keep(r)))
            .filter(|r| {
                // (Tag filters exist only where `filters` admitted them.)
                let tags = self.tags.as_ref().map_or_else(|| r.tags(), |tags| tags(r));
                self.describe
                    .matches(Some(tags), |name| values(&model, r, name))
            })
            .collect();
        self.describe
            .respond_with(matching, |r| r.id_str(), |w, page| write(w, &model, page))
    }

    /// The resources named (each must be visible, else its `…NotFound`), or all visible.
    fn chosen<'m>(&self, model: &'m Model, scope: &'m Scope) -> Result<Vec<&'m T>, ModelError> {
        let ids = self.describe.ids();
        if ids.is_empty() {
            return Ok(match &self.visible {
                None => model.in_scope(scope).collect(),
                Some(visible) => model.all().filter(|r| visible(r)).collect(),
            });
        }
        let mut named = ids
            .iter()
            .map(|id| match &self.visible {
                None => model.get(scope, id),
                Some(visible) => model
                    .any(id)
                    .filter(|r| visible(r))
                    .ok_or_else(|| T::not_found(id)),
            })
            .collect::<Result<Vec<&T>, _>>()?;
        if self.in_id_order {
            named.sort_by(|a, b| a.id().cmp(b.id()));
            named.dedup_by(|a, b| a.id() == b.id());
        }
        Ok(named)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fake, ME, OTHER, all, error, ok};

    /// Creates a VPC (tagged Name=`name`) and returns its id.
    fn vpc(backend: &Fake, account: &str, cidr: &str, name: &str) -> String {
        let tag = format!(
            "TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name\
             &TagSpecification.1.Tag.1.Value={name}"
        );
        let body = ok(
            backend,
            account,
            &format!("Action=CreateVpc&CidrBlock={cidr}&{tag}"),
        );
        all(&body, "vpcId").remove(0)
    }

    fn vpc_ids(backend: &Fake, account: &str, query: &str) -> Vec<String> {
        all(
            &ok(backend, account, &format!("Action=DescribeVpcs{query}")),
            "vpcId",
        )
    }

    #[test]
    fn pages_follow_the_token_and_cover_everything_once() {
        let b = Fake::default();
        let made: Vec<String> = (0..7)
            .map(|i| vpc(&b, ME, &format!("10.{i}.0.0/16"), "v"))
            .collect();
        let first = ok(&b, ME, "Action=DescribeVpcs&MaxResults=5");
        assert_eq!(all(&first, "vpcId"), made[..5]);
        let token = all(&first, "nextToken").remove(0);
        let last = ok(
            &b,
            ME,
            &format!("Action=DescribeVpcs&MaxResults=5&NextToken={token}"),
        );
        assert_eq!(all(&last, "vpcId"), made[5..]);
        assert!(!last.contains("nextToken"));
        // Without MaxResults, everything is one page.
        assert_eq!(vpc_ids(&b, ME, ""), made);
        let bounds = error(&b, ME, "Action=DescribeVpcs&MaxResults=4");
        assert_eq!(bounds, "InvalidParameterValue");
        let token = error(&b, ME, "Action=DescribeVpcs&NextToken=zz!");
        assert_eq!(token, "InvalidNextToken");
        // An operation AWS does not page writes no token.
        assert!(!ok(&b, ME, "Action=DescribeCustomerGateways").contains("nextToken"));
    }

    #[test]
    fn dry_run_is_answered_after_validation_and_before_lookups() {
        let b = Fake::default();
        vpc(&b, ME, "10.0.0.0/16", "v");
        let dry = |query: &str| error(&b, ME, &format!("Action=DescribeVpcs&DryRun=true{query}"));
        let bad_filter = "&Filter.1.Name=nope&Filter.1.Value.1=x";
        assert_eq!(dry(""), "DryRunOperation");
        assert_eq!(dry("&VpcId.1=bogus"), "InvalidVpcID.Malformed");
        assert_eq!(dry(bad_filter), "InvalidParameterValue");
        assert_eq!(dry("&MaxResults=five"), "InvalidParameterValue");
        // Ids before filters.
        assert_eq!(
            dry(&format!("&VpcId.1=bogus{bad_filter}")),
            "InvalidVpcID.Malformed"
        );
        // What needs the model, and the page bounds, come after DryRun.
        assert_eq!(dry("&VpcId.1=vpc-0123456789abcdef0"), "DryRunOperation");
        assert_eq!(dry("&MaxResults=1"), "DryRunOperation");
        assert_eq!(dry("&NextToken=zz!"), "DryRunOperation");
        let flag = error(&b, ME, "Action=DescribeVpcs&DryRun=maybe");
        assert_eq!(flag, "InvalidParameterValue");
    }

    #[test]
    fn another_scopes_ids_are_not_found() {
        let b = Fake::default();
        let mine = vpc(&b, ME, "10.0.0.0/16", "mine");
        let theirs = vpc(&b, OTHER, "10.1.0.0/16", "theirs");
        assert_eq!(vpc_ids(&b, ME, ""), [mine.as_str()]);
        assert_eq!(vpc_ids(&b, OTHER, ""), [theirs.as_str()]);
        let named = |ids: &str| error(&b, ME, &format!("Action=DescribeVpcs{ids}"));
        assert_eq!(
            named(&format!("&VpcId.1={theirs}")),
            "InvalidVpcID.NotFound"
        );
        // One missing id refuses the whole call.
        let both = format!("&VpcId.1={mine}&VpcId.2={theirs}");
        assert_eq!(named(&both), "InvalidVpcID.NotFound");
    }

    #[test]
    fn named_ids_come_in_request_order() {
        let b = Fake::default();
        let first = vpc(&b, ME, "10.0.0.0/16", "a");
        let second = vpc(&b, ME, "10.1.0.0/16", "b");
        let named = vpc_ids(&b, ME, &format!("&VpcId.1={second}&VpcId.2={first}"));
        assert_eq!(named, [second.as_str(), first.as_str()]);
    }

    #[test]
    fn filters_are_applied() {
        let b = Fake::default();
        let web = vpc(&b, ME, "10.0.0.0/16", "web");
        let db = vpc(&b, ME, "10.1.0.0/16", "db");
        let by = |name: &str, value: &str| {
            vpc_ids(
                &b,
                ME,
                &format!("&Filter.1.Name={name}&Filter.1.Value.1={value}"),
            )
        };
        assert_eq!(by("tag:Name", "web"), [web.as_str()]);
        assert_eq!(by("cidr", "10.1.*"), [db.as_str()]);
        assert_eq!(by("tag-value", "*b"), [web.as_str(), db.as_str()]);
        assert!(by("tag:Name", "none").is_empty());
        // Filters are AND-ed; values of one filter OR-ed.
        let and_or = "&Filter.1.Name=tag:Name&Filter.1.Value.1=web&Filter.1.Value.2=db\
                      &Filter.2.Name=cidr&Filter.2.Value.1=10.0.0.0/16";
        assert_eq!(vpc_ids(&b, ME, and_or), [web.as_str()]);
        // Filters narrow the ids named, too.
        let named = format!("&VpcId.1={db}&Filter.1.Name=tag:Name&Filter.1.Value.1=web");
        assert!(vpc_ids(&b, ME, &named).is_empty());
    }

    #[test]
    fn kinds_listed_in_id_order_list_each_once() {
        let b = Fake::default();
        let tgw = || {
            all(
                &ok(&b, ME, "Action=CreateTransitGateway"),
                "transitGatewayId",
            )
            .remove(0)
        };
        let (first, second) = (tgw(), tgw());
        let query = format!(
            "Action=DescribeTransitGateways&TransitGatewayIds.1={second}\
             &TransitGatewayIds.2={first}&TransitGatewayIds.3={second}"
        );
        let listed = all(&ok(&b, ME, &query), "transitGatewayId");
        assert_eq!(listed, [first.as_str(), second.as_str()]);
        let theirs = format!("Action=DescribeTransitGateways&TransitGatewayIds.1={first}");
        assert_eq!(
            error(&b, OTHER, &theirs),
            "InvalidTransitGatewayID.NotFound"
        );
    }

    #[test]
    fn both_sides_see_a_peering_connection_with_their_own_tags() {
        let b = Fake::default();
        let mine = vpc(&b, ME, "10.0.0.0/16", "mine");
        let theirs = vpc(&b, OTHER, "10.1.0.0/16", "theirs");
        let create = format!(
            "Action=CreateVpcPeeringConnection&VpcId={mine}&PeerVpcId={theirs}\
             &PeerOwnerId={OTHER}&TagSpecification.1.ResourceType=vpc-peering-connection\
             &TagSpecification.1.Tag.1.Key=side&TagSpecification.1.Tag.1.Value=requester"
        );
        let pcx = all(&ok(&b, ME, &create), "vpcPeeringConnectionId").remove(0);
        let describe =
            format!("Action=DescribeVpcPeeringConnections&VpcPeeringConnectionId.1={pcx}");
        let seen = |account: &str, query: &str| {
            all(
                &ok(&b, account, &format!("{describe}{query}")),
                "vpcPeeringConnectionId",
            )
        };
        let tagged = "&Filter.1.Name=tag:side&Filter.1.Value.1=requester";
        assert_eq!(seen(ME, ""), [pcx.as_str()]);
        assert_eq!(seen(OTHER, ""), [pcx.as_str()]);
        // Each side filters on its own tags.
        assert_eq!(seen(ME, tagged), [pcx.as_str()]);
        assert!(seen(OTHER, tagged).is_empty());
        let stranger = error(&b, "333333333333", &describe);
        assert_eq!(stranger, "InvalidVpcPeeringConnectionID.NotFound");
    }
}
