#include "cmedia.h"

int cmedia_averror(int posixError) { return AVERROR(posixError); }
int cmedia_averror_eof(void) { return AVERROR_EOF; }
int64_t cmedia_nopts_value(void) { return AV_NOPTS_VALUE; }
void cmedia_err2str(int errnum, char *buf, size_t size) { av_strerror(errnum, buf, size); }
void cmedia_channel_layout_default(AVChannelLayout *layout, int channels) { av_channel_layout_default(layout, channels); }
uint8_t *cmedia_frame_data(const AVFrame *frame, int plane) { return frame->data[plane]; }
int cmedia_frame_linesize(const AVFrame *frame, int plane) { return frame->linesize[plane]; }
uint8_t *cmedia_vpx_plane(const vpx_image_t *img, int plane) { return img->planes[plane]; }
int cmedia_vpx_stride(const vpx_image_t *img, int plane) { return img->stride[plane]; }
vpx_codec_err_t cmedia_vpx_vp8_dec_init(vpx_codec_ctx_t *ctx, int threads) {
    vpx_codec_dec_cfg_t cfg = { .threads = (unsigned int)threads, .w = 0, .h = 0 };
    return vpx_codec_dec_init(ctx, vpx_codec_vp8_dx(), &cfg, 0);
}
int cmedia_opus_decoder_reset(OpusDecoder *dec) { return opus_decoder_ctl(dec, OPUS_RESET_STATE); }
int cmedia_opus_encoder_set_bitrate(OpusEncoder *enc, int32_t bitrate) { return opus_encoder_ctl(enc, OPUS_SET_BITRATE(bitrate)); }
