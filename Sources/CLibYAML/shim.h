#ifndef DD_CLIBYAML_SHIM_H
#define DD_CLIBYAML_SHIM_H
#include <yaml.h>
#endif
