#!/usr/bin/env bash
# Scenario 1 with the aws CLI: an S3 *gateway* endpoint on a private subnet's route table, with an
# endpoint policy that allows only s3:GetObject, s3:PutObject and s3:ListBucket on one bucket, and
# an instance in that subnet (the workload that uses S3 through it).
#
#   bash examples/1-s3-gateway-endpoint/cli.sh            # create, print, check, DNS answers
#   bash examples/1-s3-gateway-endpoint/cli.sh destroy    # delete everything it created
#
# LOCALVPC_ENDPOINT (default http://127.0.0.1:4566) is the running localvpc. The access key
# "test" is not in examples/accounts.txt, so everything lands in account 000000000000.
set -euo pipefail

ENDPOINT=${LOCALVPC_ENDPOINT:-http://127.0.0.1:4566}
REGION=ap-northeast-1
STATE=${STATE_FILE:-${TMPDIR:-/tmp}/localvpc-example-1-cli.env}
EXAMPLE=1-s3-gateway-endpoint
export AWS_ACCESS_KEY_ID=${EXAMPLE_ACCESS_KEY:-test} AWS_SECRET_ACCESS_KEY=test AWS_PAGER=""

awsl() { aws --endpoint-url "$ENDPOINT" --region "$REGION" --output text "$@"; }
tags() { echo "ResourceType=$1,Tags=[{Key=Name,Value=$2},{Key=Example,Value=$EXAMPLE}]"; }
save() { printf '%s=%q\n' "$1" "$2" >>"$STATE"; printf '  %-18s %s\n' "$1" "$2"; }
check() { # check DESCRIPTION ACTUAL EXPECTED
  if [ "$2" = "$3" ]; then echo "  ok   $1"; else echo "  FAIL $1: got '$2', expected '$3'" >&2; exit 1; fi
}

destroy() {
  [ -f "$STATE" ] || { echo "nothing to destroy ($STATE not found)"; return; }
  # shellcheck disable=SC1090
  source "$STATE"
  echo "Deleting scenario 1 from $ENDPOINT"
  # Each step only if the create run got that far. Deleting the endpoint removes its routes.
  if [ -n "${APP_INSTANCE_ID:-}" ]; then
    awsl ec2 terminate-instances --instance-ids "$APP_INSTANCE_ID" >/dev/null
    awsl ec2 wait instance-terminated --instance-ids "$APP_INSTANCE_ID"
  fi
  [ -z "${ENDPOINT_ID:-}" ] || awsl ec2 delete-vpc-endpoints --vpc-endpoint-ids "$ENDPOINT_ID" >/dev/null
  [ -z "${RTB_ASSOC_ID:-}" ] || awsl ec2 disassociate-route-table --association-id "$RTB_ASSOC_ID"
  [ -z "${RTB_ID:-}" ] || awsl ec2 delete-route-table --route-table-id "$RTB_ID"
  [ -z "${SUBNET_ID:-}" ] || awsl ec2 delete-subnet --subnet-id "$SUBNET_ID"
  [ -z "${VPC_ID:-}" ] || awsl ec2 delete-vpc --vpc-id "$VPC_ID"
  rm -f "$STATE"
  echo "deleted"
}

case "${1:-create}" in
  destroy | cleanup | --destroy) destroy; exit 0 ;;
  create) ;;
  *) echo "usage: $0 [create|destroy]" >&2; exit 2 ;;
esac
[ ! -f "$STATE" ] || { echo "$STATE exists: run '$0 destroy' first" >&2; exit 1; }
: >"$STATE"

echo "Scenario 1: S3 gateway endpoint with a bucket-restricted policy ($ENDPOINT)"

# 1. A VPC with one private subnet (no internet gateway anywhere) and its own route table.
VPC_ID=$(awsl ec2 create-vpc --cidr-block 10.0.0.0/16 \
  --tag-specifications "$(tags vpc s3gw-vpc)" --query Vpc.VpcId)
save VPC_ID "$VPC_ID"
SUBNET_ID=$(awsl ec2 create-subnet --vpc-id "$VPC_ID" --cidr-block 10.0.1.0/24 \
  --availability-zone ap-northeast-1a \
  --tag-specifications "$(tags subnet s3gw-private-a)" --query Subnet.SubnetId)
save SUBNET_ID "$SUBNET_ID"
RTB_ID=$(awsl ec2 create-route-table --vpc-id "$VPC_ID" \
  --tag-specifications "$(tags route-table s3gw-private-rt)" --query RouteTable.RouteTableId)
save RTB_ID "$RTB_ID"
RTB_ASSOC_ID=$(awsl ec2 associate-route-table --route-table-id "$RTB_ID" --subnet-id "$SUBNET_ID" \
  --query AssociationId)
save RTB_ASSOC_ID "$RTB_ASSOC_ID"

# 2. The gateway endpoint: no ENI, no security group, no DNS names. It is attached to route
#    tables, and its policy (IAM syntax) limits what can be done through it.
POLICY='{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ExampleBucketOnly",
      "Effect": "Allow",
      "Principal": "*",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]
    }
  ]
}'
ENDPOINT_ID=$(awsl ec2 create-vpc-endpoint --vpc-endpoint-type Gateway --vpc-id "$VPC_ID" \
  --service-name "com.amazonaws.$REGION.s3" --route-table-ids "$RTB_ID" \
  --policy-document "$POLICY" \
  --tag-specifications "$(tags vpc-endpoint s3gw-endpoint)" --query VpcEndpoint.VpcEndpointId)
save ENDPOINT_ID "$ENDPOINT_ID"

# 3. The workload: one instance in the private subnet (Amazon Linux 2023, no public address). It
#    has the VPC's default security group, which allows all outbound traffic.
AMI_ID=$(awsl ec2 describe-images --owners amazon --filters "Name=name,Values=al2023-ami-2023*-x86_64" \
  --query 'sort_by(Images, &CreationDate)[-1].ImageId')
APP_INSTANCE_ID=$(awsl ec2 run-instances --image-id "$AMI_ID" --instance-type t3.micro --subnet-id "$SUBNET_ID" \
  --tag-specifications "$(tags instance s3gw-app)" --query 'Instances[0].InstanceId')
save APP_INSTANCE_ID "$APP_INSTANCE_ID"
awsl ec2 wait instance-running --instance-ids "$APP_INSTANCE_ID"

# 4. What the endpoint did: a route to the AWS-managed S3 prefix list, targeting the endpoint.
PL_ID=$(awsl ec2 describe-prefix-lists --filters "Name=prefix-list-name,Values=com.amazonaws.$REGION.s3" \
  --query 'PrefixLists[0].PrefixListId')
echo
echo "Route table $RTB_ID:"
awsl ec2 describe-route-tables --route-table-ids "$RTB_ID" --output table \
  --query 'RouteTables[0].Routes[].{Destination:DestinationCidrBlock||DestinationPrefixListId,Target:GatewayId,State:State}'
echo "Endpoint $ENDPOINT_ID policy:"
awsl ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ENDPOINT_ID" --query 'VpcEndpoints[0].PolicyDocument'
echo "S3 prefix list $PL_ID:"
awsl ec2 describe-prefix-lists --prefix-list-ids "$PL_ID" --query 'PrefixLists[0].Cidrs'

echo
echo "Checks:"
check "endpoint is an available Gateway endpoint" \
  "$(awsl ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ENDPOINT_ID" --query 'VpcEndpoints[0].[VpcEndpointType,State]')" \
  "$(printf 'Gateway\tavailable')"
check "endpoint is attached to the private route table only" \
  "$(awsl ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ENDPOINT_ID" --query 'VpcEndpoints[0].RouteTableIds')" \
  "$RTB_ID"
check "route $PL_ID -> $ENDPOINT_ID is active" \
  "$(awsl ec2 describe-route-tables --route-table-ids "$RTB_ID" \
     --query "RouteTables[0].Routes[?DestinationPrefixListId=='$PL_ID'].[GatewayId,State]")" \
  "$(printf '%s\tactive' "$ENDPOINT_ID")"
check "no other route table in the VPC has the S3 route" \
  "$(awsl ec2 describe-route-tables \
     --filters "Name=vpc-id,Values=$VPC_ID" "Name=route.destination-prefix-list-id,Values=$PL_ID" \
     --query 'RouteTables[].RouteTableId')" \
  "$RTB_ID"
check "a gateway endpoint has no network interfaces: the VPC's only one is the instance's" \
  "$(awsl ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$VPC_ID" \
     --query 'NetworkInterfaces[].Attachment.InstanceId')" \
  "$APP_INSTANCE_ID"
check "the instance runs in the private subnet" \
  "$(awsl ec2 describe-instances --instance-ids "$APP_INSTANCE_ID" \
     --query 'Reservations[0].Instances[0].[State.Name,SubnetId,InstanceType]')" \
  "$(printf 'running\t%s\tt3.micro' "$SUBNET_ID")"
check "the policy round-trips (its resources)" \
  "$(awsl ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ENDPOINT_ID" --query 'VpcEndpoints[0].PolicyDocument' \
     | grep -o 'arn:aws:s3:::example-bucket[^"]*' | tr '\n' ' ')" \
  "arn:aws:s3:::example-bucket arn:aws:s3:::example-bucket/* "

# 5. What DNS answers where. localvpc's DNS server answers as this VPC's Route 53 Resolver and as
#    the internet would: a gateway endpoint changes no DNS answer. S3's name resolves to a public
#    S3 address in both, and that address lies inside the prefix list, so from the private
#    subnet the `pl-… -> vpce-…` route is the one that carries the traffic.
# shellcheck source=../dnsviews.sh
source "$(dirname "${BASH_SOURCE[0]}")/../dnsviews.sh"
S3_NAME=s3.$REGION.amazonaws.com
echo
echo "What DNS answers where:"
dns_row "VPC $VPC_ID" "$VPC_ID" "$S3_NAME"
dns_row "VPC $VPC_ID" "$VPC_ID" "example-bucket.$S3_NAME"
dns_row "internet" public "$S3_NAME"
dns_why "$VPC_ID" "$S3_NAME"
S3_ADDR=$(dns_answer "$VPC_ID" "$S3_NAME")
# shellcheck disable=SC2046  # the prefix list's CIDRs are separate arguments
S3_CIDR=$(dns_in_cidrs "$S3_ADDR" $(awsl ec2 get-managed-prefix-list-entries --prefix-list-id "$PL_ID" \
  --query 'Entries[].Cidr'))
check "in the VPC, $S3_NAME is $S3_ADDR, inside $PL_ID ($S3_CIDR): the gateway route takes it" \
  "$([ -n "$S3_CIDR" ] && echo inside || echo outside)" "inside"
check "a gateway endpoint changes no DNS answer: the internet gets the same address" \
  "$(dns_answer public "$S3_NAME")" "$S3_ADDR"
echo
echo "What the network lets through (exit 0 when the path is open, 2 when it is blocked):"
echo "  localvpc trace --from $APP_INSTANCE_ID --to $S3_NAME:443 --request 'PUT s3://example-bucket/test.txt'"
echo "  localvpc trace --from $APP_INSTANCE_ID --to $S3_NAME:443 --request 's3:ListAllMyBuckets arn:aws:s3:::*'"
echo
echo "Created (ids saved in $STATE); delete with: $0 destroy"
