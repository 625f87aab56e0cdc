// The `modbus` rule keyword with Suricata's grammar: `function <n>[, subfunction <n>]`,
// `function [!]assigned|unassigned|public|user|reserved|all`, `access read|write
// [discretes|coils|input|holding][, address <range>[, value <range>]]`, and `unit <range>`
// alone or before one of the others.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "applayer/protocol.h"

namespace tocsin::proto::modbus {

std::unique_ptr<const applayer::TxTest> compile_modbus_keyword(std::string_view value,
                                                               std::string& error);

}  // namespace tocsin::proto::modbus
