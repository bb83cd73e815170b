"""Self-test of the wire-fidelity guard (no server needed): it must flag the mistakes
boto3 would silently swallow, and accept well-formed AWS bodies."""

import botocore.session
import pytest

from helpers import check_ec2_response_xml

NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'
MODEL = botocore.session.get_session().get_service_model("ec2")


def problems(op, body, status=200):
    return check_ec2_response_xml(MODEL.operation_model(op), status, body.encode())


GOOD_VPCS = f"""<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcsResponse {NS}>
  <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
  <vpcSet>
    <item>
      <vpcId>vpc-0123456789abcdef0</vpcId>
      <ownerId>000000000000</ownerId>
      <state>available</state>
      <cidrBlock>10.0.0.0/16</cidrBlock>
      <cidrBlockAssociationSet>
        <item>
          <cidrBlock>10.0.0.0/16</cidrBlock>
          <associationId>vpc-cidr-assoc-0123456789abcdef0</associationId>
          <cidrBlockState><state>associated</state></cidrBlockState>
        </item>
      </cidrBlockAssociationSet>
      <ipv6CidrBlockAssociationSet/>
      <dhcpOptionsId>dopt-0123456789abcdef0</dhcpOptionsId>
      <tagSet><item><key>Name</key><value>x</value></item></tagSet>
      <instanceTenancy>default</instanceTenancy>
      <isDefault>false</isDefault>
    </item>
  </vpcSet>
  <nextToken>abc</nextToken>
</DescribeVpcsResponse>"""


def test_accepts_a_well_formed_body():
    assert problems("DescribeVpcs", GOOD_VPCS) == []


@pytest.mark.parametrize(
    "old,new,needle",
    [
        ("<cidrBlock>10.0.0.0/16</cidrBlock>\n      <cidrBlockAssociationSet>",
         "<cidrBlok>10.0.0.0/16</cidrBlok>\n      <cidrBlockAssociationSet>", "unknown element <cidrBlok>"),
        ("<isDefault>false</isDefault>", "<isDefault>False</isDefault>", "boolean"),
        ("<state>available</state>", "<state>Available</state>", "not in enum"),
        ("<tagSet><item><key>Name</key><value>x</value></item></tagSet>",
         "<tagSet><member><key>Name</key><value>x</value></member></tagSet>", "expected <item>"),
        ("<vpcSet>", "<vpcs>", "unknown element <vpcs>"),  # closing tag fixed below
        ("<isDefault>false</isDefault>", "<isDefault>false</isDefault><isDefault>true</isDefault>", "repeated"),
        ("<ownerId>000000000000</ownerId>", "<ownerId><id>0</id></ownerId>", "child elements"),
    ],
)
def test_flags_mistakes(old, new, needle):
    assert old in GOOD_VPCS
    body = GOOD_VPCS.replace(old, new, 1)
    if old == "<vpcSet>":
        body = body.replace("</vpcSet>", "</vpcs>")
    found = problems("DescribeVpcs", body)
    assert any(needle in p for p in found), found


def test_flags_wrong_root_and_namespace():
    assert any("root element" in p for p in problems("DescribeSubnets", GOOD_VPCS))
    body = GOOD_VPCS.replace(NS, 'xmlns="http://example.com/"')
    assert any("namespace" in p for p in problems("DescribeVpcs", body))


def test_no_output_operations_answer_return_true():
    ok = f'<DeleteVpcResponse {NS}><requestId>r</requestId><return>true</return></DeleteVpcResponse>'
    assert problems("DeleteVpc", ok) == []
    bad = f'<DeleteVpcResponse {NS}><requestId>r</requestId><result>true</result></DeleteVpcResponse>'
    assert problems("DeleteVpc", bad)


def test_integer_leaves_are_checked():
    body = f"""<DescribeSubnetsResponse {NS}><requestId>r</requestId><subnetSet><item>
      <subnetId>subnet-1</subnetId><availableIpAddressCount>many</availableIpAddressCount>
      </item></subnetSet></DescribeSubnetsResponse>"""
    assert any("integer" in p for p in problems("DescribeSubnets", body))


def test_error_envelope():
    good = ("<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>m</Message></Error>"
            "</Errors><RequestID>r</RequestID></Response>")
    assert problems("DescribeVpcs", good, status=400) == []
    assert problems("DescribeVpcs", good.replace("<Code>", "<Kode>").replace("</Code>", "</Kode>"), status=400)
    assert problems("DescribeVpcs", "<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>", status=400)
    assert problems("DescribeVpcs", "<html><body>oops</body></html>", status=500)
    assert problems("DescribeVpcs", "{\"message\": \"nope\"}", status=400)


def test_html_success_body_is_flagged():
    assert problems("DescribeVpcs", "<!doctype html><html></html>")


def _igw_body(op, state, wrapper):
    inner = (f"<attachmentSet><item><state>{state}</state><vpcId>vpc-0123456789abcdef0</vpcId></item>"
             f"</attachmentSet><internetGatewayId>igw-0123456789abcdef0</internetGatewayId>"
             f"<ownerId>000000000000</ownerId><tagSet/>")
    if wrapper == "set":
        inner = f"<internetGatewaySet><item>{inner}</item></internetGatewaySet>"
    else:
        inner = f"<internetGateway>{inner}</internetGateway>"
    return f"<{op}Response {NS}><requestId>r</requestId>{inner}</{op}Response>"


def test_internet_gateway_attachment_state_available_is_accepted():
    # The EC2 API reference (InternetGatewayAttachment) documents state=available for an
    # attached internet gateway although the shared AttachmentStatus enum lacks it.
    assert problems("DescribeInternetGateways", _igw_body("DescribeInternetGateways", "available", "set")) == []
    assert problems("CreateInternetGateway", _igw_body("CreateInternetGateway", "available", "one")) == []
    bad = problems("DescribeInternetGateways", _igw_body("DescribeInternetGateways", "up", "set"))
    assert any("not in enum" in p for p in bad), bad


def test_available_stays_invalid_for_other_attachment_enums():
    body = (f"<DescribeEgressOnlyInternetGatewaysResponse {NS}><requestId>r</requestId>"
            "<egressOnlyInternetGatewaySet><item><attachmentSet><item><state>available</state>"
            "<vpcId>vpc-0123456789abcdef0</vpcId></item></attachmentSet>"
            "<egressOnlyInternetGatewayId>eigw-0123456789abcdef0</egressOnlyInternetGatewayId>"
            "</item></egressOnlyInternetGatewaySet></DescribeEgressOnlyInternetGatewaysResponse>")
    assert any("not in enum" in p for p in problems("DescribeEgressOnlyInternetGateways", body))
