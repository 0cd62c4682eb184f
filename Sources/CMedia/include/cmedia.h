#ifndef CMEDIA_H
#define CMEDIA_H
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>
#include <libavutil/samplefmt.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <opus/opus.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vp8dx.h>
#include <stdint.h>

// One-line wrappers for libav / libopus / libvpx macros, variadics and
// fixed-size C arrays that Swift cannot call or index directly.
// No logic lives here: see Sources/Egress/Media.

/// AVERROR(e): a POSIX errno as a negative libav error code.
int cmedia_averror(int posixError);
/// AVERROR_EOF.
int cmedia_averror_eof(void);
/// AV_NOPTS_VALUE.
int64_t cmedia_nopts_value(void);
/// av_err2str (macro with a compound literal): writes the message into buf.
void cmedia_err2str(int errnum, char *buf, size_t size);
/// AV_CHANNEL_LAYOUT_STEREO / AV_CHANNEL_LAYOUT_MONO (compound-literal macros) into *layout.
void cmedia_channel_layout_default(AVChannelLayout *layout, int channels);
/// frame->data[plane] (fixed-size array member).
uint8_t *cmedia_frame_data(const AVFrame *frame, int plane);
/// frame->linesize[plane] (fixed-size array member).
int cmedia_frame_linesize(const AVFrame *frame, int plane);
/// img->planes[plane] (fixed-size array member).
uint8_t *cmedia_vpx_plane(const vpx_image_t *img, int plane);
/// img->stride[plane] (fixed-size array member).
int cmedia_vpx_stride(const vpx_image_t *img, int plane);
/// vpx_codec_dec_init(ctx, vpx_codec_vp8_dx(), NULL, 0) (macro).
vpx_codec_err_t cmedia_vpx_vp8_dec_init(vpx_codec_ctx_t *ctx, int threads);
/// opus_decoder_ctl(dec, OPUS_RESET_STATE) (variadic).
int cmedia_opus_decoder_reset(OpusDecoder *dec);
/// opus_encoder_ctl(enc, OPUS_SET_BITRATE(bitrate)) (variadic).
int cmedia_opus_encoder_set_bitrate(OpusEncoder *enc, int32_t bitrate);

#endif
