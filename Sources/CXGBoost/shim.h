#ifndef VIGIL_CXGBOOST_SHIM_H
#define VIGIL_CXGBOOST_SHIM_H
// XGBoost's C API from Debian's libxgboost-dev (1.7): gradient-boosted trees and
// random forests (num_parallel_tree) for crime scoring. A booster handle is used
// from one thread at a time; every call returns 0 or -1 with XGBGetLastError().
#include <xgboost/c_api.h>
#endif
