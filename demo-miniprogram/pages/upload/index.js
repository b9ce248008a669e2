// @ts-check
// uploadFile carries and captures the session like request does.
const { uploadFile } = require('miniprogram-session')
const { describeError } = require('../../lib/describe-error')

Component({
  data: {
    uploading: false,
    /** @type {{ name: string, size: number } | null} */
    uploaded: null,
    error: '',
  },
  methods: {
    async onUpload() {
      this.setData({ uploading: true, uploaded: null, error: '' })
      try {
        const [photo] = (await wx.chooseMedia({ count: 1, mediaType: ['image'] })).tempFiles
        if (!photo) return this.setData({ uploading: false })
        const res = await uploadFile({ url: '/upload', filePath: photo.tempFilePath, name: 'file' })
        // uploadFile's data is the body as text, never parsed.
        const body = JSON.parse(/** @type {string} */ (res.data))
        if (res.statusCode === 200) this.setData({ uploading: false, uploaded: body.file })
        else this.setData({ uploading: false, error: body.errmsg || `HTTP ${res.statusCode}` })
      } catch (error) {
        this.setData({ uploading: false, error: describeError(error) })
      }
    },
  },
})
