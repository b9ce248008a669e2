// `miniprogram-session/testing`: a Node emulation of the mini-program runtime. Node only.
export {}
