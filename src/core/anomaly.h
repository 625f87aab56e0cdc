// Stable names for every malformed or suspicious condition the pipeline reports.
// Names follow Suricata's decoder/stream event names so existing EVE consumers and rules work.
#pragma once

#include <cstdint>
#include <string_view>

namespace tocsin {

#define TOCSIN_ANOMALIES(X)                                                           \
    X(EthernetPktTooSmall, decode, "ethernet.pkt_too_small")                          \
    X(VlanHeaderTooSmall, decode, "vlan.header_too_small")                            \
    X(VlanUnknownType, decode, "vlan.unknown_type")                                   \
    X(VlanTooManyLayers, decode, "vlan.too_many_layers")                              \
    X(SllPktTooSmall, decode, "sll.pkt_too_small")                                    \
    X(NullPktTooSmall, decode, "null.pkt_too_small")                                  \
    X(NullUnsupportedType, decode, "null.unsupported_type")                           \
    X(RawInvalidIpVersion, decode, "ipraw.invalid_ip_version")                        \
    X(MplsHeaderTooSmall, decode, "mpls.header_too_small")                            \
    X(MplsPktTooSmall, decode, "mpls.pkt_too_small")                                  \
    X(MplsBadLabelReserved, decode, "mpls.bad_label_reserved")                        \
    X(MplsUnknownPayloadType, decode, "mpls.unknown_payload_type")                    \
    X(PppoePktTooSmall, decode, "pppoe.pkt_too_small")                                \
    X(PppoeWrongCode, decode, "pppoe.wrong_code")                                     \
    X(PppPktTooSmall, decode, "ppp.pkt_too_small")                                    \
    X(PppUnsupProto, decode, "ppp.unsup_proto")                                       \
    X(Ipv4PktTooSmall, decode, "ipv4.pkt_too_small")                                  \
    X(Ipv4HlenTooSmall, decode, "ipv4.hlen_too_small")                                \
    X(Ipv4IplenSmallerThanHlen, decode, "ipv4.iplen_smaller_than_hlen")               \
    X(Ipv4TruncPkt, decode, "ipv4.trunc_pkt")                                         \
    X(Ipv4OptInvalid, decode, "ipv4.opt_invalid")                                     \
    X(Ipv4OptInvalidLen, decode, "ipv4.opt_invalid_len")                              \
    X(Ipv4OptMalformed, decode, "ipv4.opt_malformed")                                 \
    X(Ipv4OptPadRequired, decode, "ipv4.opt_pad_required")                            \
    X(Ipv4OptEolRequired, decode, "ipv4.opt_eol_required")                            \
    X(Ipv4OptDuplicate, decode, "ipv4.opt_duplicate")                                 \
    X(Ipv4OptUnknown, decode, "ipv4.opt_unknown")                                     \
    X(Ipv4WrongIpVersion, decode, "ipv4.wrong_ip_version")                            \
    X(Ipv4Icmpv6, decode, "ipv4.icmpv6")                                              \
    X(Ipv4FragPktTooLarge, decode, "ipv4.frag_pkt_too_large")                         \
    X(Ipv4FragOverlap, decode, "ipv4.frag_overlap")                                   \
    X(Ipv4FragIgnored, decode, "ipv4.frag_ignored")                                   \
    X(Ipv4UnknownProtocol, decode, "ipv4.unknown_protocol")                           \
    X(Ipv6PktTooSmall, decode, "ipv6.pkt_too_small")                                  \
    X(Ipv6TruncPkt, decode, "ipv6.trunc_pkt")                                         \
    X(Ipv6TruncExthdr, decode, "ipv6.trunc_exthdr")                                   \
    X(Ipv6ExthdrDuplFh, decode, "ipv6.exthdr_dupl_fh")                                \
    X(Ipv6ExthdrUselessFh, decode, "ipv6.exthdr_useless_fh")                          \
    X(Ipv6ExthdrDuplRh, decode, "ipv6.exthdr_dupl_rh")                                \
    X(Ipv6ExthdrDuplHh, decode, "ipv6.exthdr_dupl_hh")                                \
    X(Ipv6ExthdrDuplDh, decode, "ipv6.exthdr_dupl_dh")                                \
    X(Ipv6ExthdrDuplAh, decode, "ipv6.exthdr_dupl_ah")                                \
    X(Ipv6ExthdrDuplEh, decode, "ipv6.exthdr_dupl_eh")                                \
    X(Ipv6ExthdrInvalidOptlen, decode, "ipv6.exthdr_invalid_optlen")                  \
    X(Ipv6WrongIpVersion, decode, "ipv6.wrong_ip_version")                            \
    X(Ipv6RhType0, decode, "ipv6.rh_type_0")                                          \
    X(Ipv6ZeroLenPadn, decode, "ipv6.zero_len_padn")                                  \
    X(Ipv6HopoptsOnlyPadding, decode, "ipv6.hopopts_only_padding")                    \
    X(Ipv6DstoptsOnlyPadding, decode, "ipv6.dstopts_only_padding")                    \
    X(Ipv6HopoptsUnknownOpt, decode, "ipv6.hopopts_unknown_opt")                      \
    X(Ipv6DstoptsUnknownOpt, decode, "ipv6.dstopts_unknown_opt")                      \
    X(Ipv6ExthdrAhResNotNull, decode, "ipv6.exthdr_ah_res_not_null")                  \
    X(Ipv6FhNonZeroReservedField, decode, "ipv6.fh_non_zero_reserved_field")          \
    X(Ipv6DataAfterNoneHeader, decode, "ipv6.data_after_none_header")                 \
    X(Ipv6UnknownNextHeader, decode, "ipv6.unknown_next_header")                      \
    X(Ipv6Icmpv4, decode, "ipv6.icmpv4")                                              \
    X(Ipv6FragPktTooLarge, decode, "ipv6.frag_pkt_too_large")                         \
    X(Ipv6FragOverlap, decode, "ipv6.frag_overlap")                                   \
    X(Ipv6FragInvalidLength, decode, "ipv6.frag_invalid_length")                      \
    X(Ipv6FragIgnored, decode, "ipv6.frag_ignored")                                   \
    X(Ipv6InIpv6TooSmall, decode, "ipv6.ipv6_in_ipv6_too_small")                      \
    X(Ipv6InIpv6WrongVersion, decode, "ipv6.ipv6_in_ipv6_wrong_version")              \
    X(Ipv4InIpv6TooSmall, decode, "ipv6.ipv4_in_ipv6_too_small")                      \
    X(Ipv4InIpv6WrongVersion, decode, "ipv6.ipv4_in_ipv6_wrong_version")              \
    X(TcpPktTooSmall, decode, "tcp.pkt_too_small")                                    \
    X(TcpHlenTooSmall, decode, "tcp.hlen_too_small")                                  \
    X(TcpInvalidOptlen, decode, "tcp.invalid_optlen")                                 \
    X(TcpOptInvalidLen, decode, "tcp.opt_invalid_len")                                \
    X(TcpOptDuplicate, decode, "tcp.opt_duplicate")                                   \
    X(UdpPktTooSmall, decode, "udp.pkt_too_small")                                    \
    X(UdpHlenTooSmall, decode, "udp.hlen_too_small")                                  \
    X(UdpHlenInvalid, decode, "udp.hlen_invalid")                                     \
    X(UdpLenInvalid, decode, "udp.len_invalid")                                       \
    X(Icmpv4PktTooSmall, decode, "icmpv4.pkt_too_small")                              \
    X(Icmpv4UnknownType, decode, "icmpv4.unknown_type")                               \
    X(Icmpv4UnknownCode, decode, "icmpv4.unknown_code")                               \
    X(Icmpv4Ipv4TruncPkt, decode, "icmpv4.ipv4_trunc_pkt")                            \
    X(Icmpv4Ipv4UnknownVer, decode, "icmpv4.ipv4_unknown_ver")                        \
    X(Icmpv6PktTooSmall, decode, "icmpv6.pkt_too_small")                              \
    X(Icmpv6UnknownType, decode, "icmpv6.unknown_type")                               \
    X(Icmpv6UnknownCode, decode, "icmpv6.unknown_code")                               \
    X(Icmpv6Ipv6UnknownVersion, decode, "icmpv6.ipv6_unknown_version")                \
    X(Icmpv6Ipv6TruncPkt, decode, "icmpv6.ipv6_trunc_pkt")                            \
    X(Icmpv6MldMessageWithInvalidHl, decode, "icmpv6.mld_message_with_invalid_hl")    \
    X(Icmpv6UnassignedType, decode, "icmpv6.unassigned_type")                         \
    X(Icmpv6ExperimentationType, decode, "icmpv6.experimentation_type")               \
    X(GrePktTooSmall, decode, "gre.pkt_too_small")                                    \
    X(GreWrongVersion, decode, "gre.wrong_version")                                   \
    X(GreVersion0Recur, decode, "gre.version0_recur")                                 \
    X(GreVersion0Flags, decode, "gre.version0_flags")                                 \
    X(GreVersion0HdrTooBig, decode, "gre.version0_hdr_too_big")                       \
    X(GreVersion1Chksum, decode, "gre.version1_chksum")                               \
    X(GreVersion1Route, decode, "gre.version1_route")                                 \
    X(GreVersion1Ssr, decode, "gre.version1_ssr")                                     \
    X(GreVersion1Recur, decode, "gre.version1_recur")                                 \
    X(GreVersion1Flags, decode, "gre.version1_flags")                                 \
    X(GreVersion1NoKey, decode, "gre.version1_no_key")                                \
    X(GreVersion1WrongProtocol, decode, "gre.version1_wrong_protocol")                \
    X(GreVersion1HdrTooBig, decode, "gre.version1_hdr_too_big")                       \
    X(VxlanUnknownPayloadType, decode, "vxlan.unknown_payload_type")                  \
    X(ErspanHeaderTooSmall, decode, "erspan.header_too_small")                        \
    X(ErspanUnsupportedVersion, decode, "erspan.unsupported_version")                 \
    X(ErspanTooManyVlanLayers, decode, "erspan.too_many_vlan_layers")                 \
    X(NshHeaderTooSmall, decode, "nsh.header_too_small")                              \
    X(NshUnsupportedVersion, decode, "nsh.unsupported_version")                       \
    X(NshBadHeaderLength, decode, "nsh.bad_header_length")                            \
    X(NshReservedType, decode, "nsh.reserved_type")                                   \
    X(NshUnsupportedType, decode, "nsh.unsupported_type")                             \
    X(NshUnknownPayload, decode, "nsh.unknown_payload")                               \
    X(DecoderTooManyLayers, decode, "decoder.too_many_layers")                        \
    X(StreamOverlapDifferentData, stream, "stream.reassembly_overlap_different_data") \
    X(Stream3whsSynackWithWrongAck, stream, "stream.3whs_synack_with_wrong_ack")      \
    X(Stream3whsSynResendDiffSeq, stream, "stream.3whs_syn_resend_diff_seq")          \
    X(StreamPktInvalidAck, stream, "stream.pkt_invalid_ack")                          \
    X(StreamRstButNoSession, stream, "stream.rst_but_no_session")                     \
    X(StreamFinButNoSession, stream, "stream.fin_but_no_session")                     \
    X(StreamPktSpuriousRetransmission, stream, "stream.pkt_spurious_retransmission")  \
    X(StreamReassemblyMemcap, stream, "stream.reassembly_memcap")                     \
    X(StreamReassemblyDepthReached, stream, "stream.reassembly_depth_reached")        \
    X(StreamRstInvalid, stream, "stream.rst_invalid")                                 \
    X(StreamFinOutOfWindow, stream, "stream.fin_out_of_window")

enum class Anomaly : std::uint16_t {
#define TOCSIN_ANOMALY_ENUM(id, kind, name) id,
    TOCSIN_ANOMALIES(TOCSIN_ANOMALY_ENUM)
#undef TOCSIN_ANOMALY_ENUM
        Count
};

enum class AnomalyKind : std::uint8_t { decode, stream };

// "ipv4.trunc_pkt"
std::string_view anomaly_name(Anomaly a);
// "decode" or "stream": the EVE anomaly.type
std::string_view anomaly_kind_name(Anomaly a);
AnomalyKind anomaly_kind(Anomaly a);
constexpr std::size_t kAnomalyCount = static_cast<std::size_t>(Anomaly::Count);

}  // namespace tocsin
