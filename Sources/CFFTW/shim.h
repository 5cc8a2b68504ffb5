#ifndef VIGIL_CFFTW_SHIM_H
#define VIGIL_CFFTW_SHIM_H
// FFTW3 (double precision) from Debian's libfftw3-dev. Planning is not
// thread-safe in FFTW; VigilEEG serialises every plan call behind one lock,
// while executing a plan on distinct arrays is safe from any thread.
#include <fftw3.h>
#endif
