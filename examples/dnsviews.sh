# What localvpc's DNS server answers where: sourced by the cli.sh forms (bash; needs curl or the
# localvpc binary, nothing else).
#
#   dns_answer VIEW NAME [TYPE]       the answer: "addr, addr" (sorted), or NODATA / NXDOMAIN / …
#   dns_row LABEL VIEW NAME [TYPE]    one line of the "what DNS answers where" table
#   dns_why VIEW NAME [TYPE]          the answer with the server's decision trail
#   dns_in_cidrs IP CIDR…             the first CIDR that holds IP (empty if none)
#
# VIEW is "public" (a client on the internet), a VPC id (that VPC's Route 53 Resolver) or an
# inbound Resolver endpoint id (an on-premises server asking through it). With the localvpc
# binary ($LOCALVPC_BIN, else `localvpc` on PATH) these run `localvpc dns query`; without it,
# curl and POST /_localvpc/dns/explain — the same resolver, asked over HTTP. To send real DNS
# packets: `localvpc dns listeners` lists each view's address, then `dig @ADDR -p PORT NAME`.
# ENDPOINT is the running localvpc (the cli.sh forms set it).

LOCALVPC=${LOCALVPC_BIN:-$(command -v localvpc || true)}

dns_json() { # dns_json VIEW NAME [TYPE] -> the explain JSON
  local view=$1 name=$2 type=${3:-A} sel
  if [ -n "$LOCALVPC" ]; then
    case $view in
      public) sel=--public ;;
      vpc-*) sel="--vpc=$view" ;;
      *) sel="--inbound-endpoint=$view" ;;
    esac
    "$LOCALVPC" dns query --endpoint "$ENDPOINT" "$sel" --json "$name" "$type"
  else
    case $view in
      public) sel='"view":"public"' ;;
      vpc-*) sel="\"vpc\":\"$view\"" ;;
      *) sel="\"inbound_endpoint\":\"$view\"" ;;
    esac
    curl -sS --fail -X POST -H 'Content-Type: application/json' \
      -d "{$sel,\"name\":\"$name\",\"type\":\"$type\"}" "${ENDPOINT%/}/_localvpc/dns/explain"
  fi
}

dns_answer() { # dns_answer VIEW NAME [TYPE]
  local json answers rcode
  json=$(dns_json "$@") || { echo "ERROR (no answer from $ENDPOINT)"; return 0; }
  answers=$(printf '%s' "$json" | sed -n 's/.*"answers":\[\([^]]*\)\].*/\1/p' | grep -o '"data":"[^"]*"' \
    | cut -d'"' -f4 | LC_ALL=C sort | paste -sd, - | sed 's/,/, /g' || true)
  rcode=$(printf '%s' "$json" | grep -o '"rcode":"[^"]*"' | cut -d'"' -f4 || true)
  if [ -n "$answers" ]; then echo "$answers"
  elif [ "$rcode" = NOERROR ]; then echo NODATA
  else echo "$rcode"
  fi
}

dns_row() { # dns_row LABEL VIEW NAME [TYPE]
  printf '  %-34s %-48s %-5s %s\n' "$1" "$3" "${4:-A}" "$(dns_answer "$2" "$3" "${4:-A}")"
}

dns_why() { # dns_why VIEW NAME [TYPE]
  local view=$1 name=$2 type=${3:-A}
  if [ -n "$LOCALVPC" ]; then
    case $view in
      public) "$LOCALVPC" dns query --endpoint "$ENDPOINT" --public "$name" "$type" ;;
      vpc-*) "$LOCALVPC" dns query --endpoint "$ENDPOINT" --vpc "$view" "$name" "$type" ;;
      *) "$LOCALVPC" dns query --endpoint "$ENDPOINT" --inbound-endpoint "$view" "$name" "$type" ;;
    esac
  else
    echo ";; $name $type: $(dns_answer "$view" "$name" "$type")"
    echo ";; WHY"
    dns_json "$view" "$name" "$type" | grep -o '"detail":"[^"]*"' | cut -d'"' -f4 \
      | sed 's/\\\\/\\/g' | nl -w2 -s'. ' || true
  fi
}

dns_ip2int() { local IFS=.; set -- $1; echo $(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 )); }

dns_in_cidrs() { # dns_in_cidrs IP CIDR...
  local ip cidr len mask
  ip=$(dns_ip2int "$1"); shift
  for cidr in "$@"; do
    len=${cidr#*/}
    mask=$(( len == 0 ? 0 : (0xFFFFFFFF << (32 - len)) & 0xFFFFFFFF ))
    if (( (ip & mask) == ($(dns_ip2int "${cidr%/*}") & mask) )); then echo "$cidr"; return 0; fi
  done
  return 0
}
