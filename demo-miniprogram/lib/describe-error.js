// @ts-check

/** A line for the page from anything a call rejected with. @param {unknown} error */
function describeError(error) {
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) {
    return `${error.code}: ${error.message}`
  }
  return String(error)
}

module.exports = { describeError }
