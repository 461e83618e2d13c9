/*
 * All int8 kernel families. Generated model.c includes only this header.
 * One family per file (tp_<family>.c / .h), portable C99; builds for Cortex-M and
 * for the host so each kernel can be tested alone.
 */
#ifndef TP_KERNELS_H
#define TP_KERNELS_H

#include "tp_conv.h"
#include "tp_depthwise.h"
#include "tp_fully_connected.h"
#include "tp_pool.h"
#include "tp_conv_dsp.h"
#include "tp_depthwise_dsp.h"
#include "tp_depthwise_dsp_body.h"
#include "tp_fully_connected_dsp.h"
#include "tp_add.h"
#include "tp_mul.h"
#include "tp_softmax.h"
#include "tp_hard_swish.h"
#include "tp_quantize.h"
#include "tp_pad.h"
#include "tp_reduce.h"
#include "tp_concat.h"
#include "tp_resize.h"
#include "tp_transpose.h"
#include "tp_copy.h"
#include "tp_lut.h"
#include "tp_depthwise_inplace.h"
#include "tp_conv_1x1_inplace.h"
#include "tp_tile.h"

#endif /* TP_KERNELS_H */
