// Just enough of Taro's and uni-app's declarations for the README's samples to type-check here
// (neither framework is installed in this repository): the SDK takes any platform object.
declare module '@tarojs/taro' {
  const Taro: Record<string, unknown>
  export default Taro
}
declare const uni: Record<string, unknown>
