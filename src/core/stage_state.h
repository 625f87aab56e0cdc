// Base for per-flow state owned by a later stage (TCP session, app-layer parser). The flow
// table stores it without knowing its type, so lower stages never include higher ones.
#pragma once

namespace tocsin {

class StageState {
  public:
    virtual ~StageState() = default;
};

}  // namespace tocsin
