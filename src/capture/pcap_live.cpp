#include "capture/pcap_live.h"

#include <grp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tocsin::capture {

std::string apply_filter(pcap* handle, const std::string& expression) {
    if (expression.empty()) return "";
    bpf_program program{};
    if (pcap_compile(handle, &program, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        return "invalid capture filter '" + expression + "': " + pcap_geterr(handle);
    const int rc = pcap_setfilter(handle, &program);
    pcap_freecode(&program);
    if (rc != 0) return std::string("cannot apply capture filter: ") + pcap_geterr(handle);
    return "";
}

PcapLive::PcapLive(const LiveOptions& o) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    handle_ = pcap_create(o.interface.c_str(), errbuf);
    if (handle_ == nullptr) {
        error_ = errbuf;
        return;
    }
    pcap_set_snaplen(handle_, static_cast<int>(o.snaplen));
    pcap_set_promisc(handle_, o.promiscuous ? 1 : 0);
    pcap_set_timeout(handle_, o.timeout_ms);
    pcap_set_buffer_size(handle_, static_cast<int>(o.buffer_bytes));
    const int rc = pcap_activate(handle_);
    if (rc < 0) {
        error_ = std::string(pcap_statustostr(rc)) + ": " + pcap_geterr(handle_);
        pcap_close(handle_);
        handle_ = nullptr;
        return;
    }
    linktype_ = static_cast<std::uint32_t>(pcap_datalink(handle_));
    timeout_ms_ = o.timeout_ms;
    // Non-blocking reads plus our own poll: a blocking read on a quiet link may never return
    // (TPACKET_V3 retires no empty block), and then neither timeouts nor signals get through.
    std::string e = apply_filter(handle_, o.bpf);
    if (e.empty() && pcap_setnonblock(handle_, 1, errbuf) != 0) e = errbuf;
    if (e.empty() && (fd_ = pcap_get_selectable_fd(handle_)) < 0) e = "interface cannot be polled";
    if (!e.empty()) {
        error_ = e;
        pcap_close(handle_);
        handle_ = nullptr;
    }
}

PcapLive::~PcapLive() {
    if (handle_ != nullptr) pcap_close(handle_);
}

PcapLive::Status PcapLive::next(Frame& frame) {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(handle_, &header, &data);
    if (rc == 1) {
        frame.ts = Timestamp{static_cast<std::int64_t>(header->ts.tv_sec),
                             static_cast<std::uint32_t>(header->ts.tv_usec % 1000000)};
        frame.wire_len = header->len;
        frame.data = ByteSpan(data, header->caplen);
        return Status::frame;
    }
    if (rc == 0) {
        pollfd wait{fd_, POLLIN, 0};
        poll(&wait, 1, timeout_ms_);  // EINTR (a signal) returns early, which is what we want
        return Status::timeout;
    }
    error_ = pcap_geterr(handle_);
    return Status::error;
}

LiveStats PcapLive::stats() const {
    LiveStats s;
    pcap_stat ps{};
    if (handle_ != nullptr && pcap_stats(handle_, &ps) == 0) {
        s.received = ps.ps_recv;
        s.dropped = ps.ps_drop;
        s.if_dropped = ps.ps_ifdrop;
    }
    return s;
}

std::string drop_privileges(const std::string& user, const std::string& group_name) {
    if (geteuid() != 0 || user.empty() || user == "root") return "";
    errno = 0;
    const passwd* pw = getpwnam(user.c_str());
    if (pw == nullptr) return "cannot drop privileges: no user '" + user + "'";
    gid_t gid = pw->pw_gid;
    if (!group_name.empty()) {
        const struct group* gr = getgrnam(group_name.c_str());
        if (gr == nullptr) return "cannot drop privileges: no group '" + group_name + "'";
        gid = gr->gr_gid;
    }
    // Order matters: supplementary groups and the group while still root, then the user.
    if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(pw->pw_uid) != 0)
        return std::string("cannot drop privileges: ") + std::strerror(errno);
    if (setuid(0) == 0) return "cannot drop privileges: root could be regained";
    return "";
}

}  // namespace tocsin::capture
