/// Sign-in page text.
extension Strings {
    var sendCode: String { t("Gửi mã xác thực", "Send code") }
    var codeSent: String { t("Mã xác thực đã được gửi qua SMS đến", "A code was sent by SMS to") }
    var resend: String { t("Gửi lại mã", "Send a new code") }
    var signInIntro: String { t("Nhập số điện thoại, chúng tôi sẽ gửi mã xác thực qua SMS. Lần đầu đăng nhập sẽ tạo tài khoản.",
                                "Enter your phone number and we will text you a code. Signing in the first time creates your account.") }
}
